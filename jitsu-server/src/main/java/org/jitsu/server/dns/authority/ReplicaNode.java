package org.jitsu.server.dns.authority;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ReplicaSet;
import org.jitsu.server.core.ServiceUnavailableException;
import reactor.core.publisher.Mono;

/**
 * The answers for one name of a replicated service, prebuilt per replica: an address question picks a
 * running replica for the client ({@link NamedReplicas.Selection}) and gets that replica's records, a
 * scalar {@code Mono} with nothing allocated; with none running, the first replica boots and the
 * question waits for it. Other questions get NoData and count as traffic that boots the first replica.
 */
final class ReplicaNode implements AnswerNode {
    private final ReplicaSet set;
    private final NamedReplicas.Selection selection;
    private final AtomicInteger next = new AtomicInteger();
    /** [slot][replica]: the replica's answer for the slot, or null when it has no records of that type. */
    private final Answer.Found[][] running;
    private final Mono<Answer>[][] runningMono;
    /** For NEAREST and an IPv6 client subnet: the same answers with the IPv6 rows' scope. */
    private final Mono<Answer>[][] runningMono6;
    private final Answer noDataAnswer;
    private final Mono<Answer> noData;
    private final Sites sites;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ReplicaNode(DomainName name, NamedReplicas replicas, ReplicaSet set, Answer noData) {
        this.set = set;
        this.selection = replicas.selection();
        this.sites = replicas.sites();
        int scope = switch (selection) {
            case ROUND_ROBIN -> Answer.Found.FOR_EVERYONE;
            case CLIENT -> 0; // the whole source prefix
            case NEAREST -> sites.longestPrefix(true);
        };
        int scope6 = selection == NamedReplicas.Selection.NEAREST ? sites.longestPrefix(false) : scope;
        this.noDataAnswer = noData;
        this.noData = Mono.just(noData);
        int n = replicas.replicas().size();
        running = new Answer.Found[NameNode.SLOTS][n];
        runningMono = new Mono[NameNode.SLOTS][n];
        runningMono6 = new Mono[NameNode.SLOTS][n];
        for (int k = 0; k < n; k++) {
            List<ResourceRecord> a = new ArrayList<>();
            List<ResourceRecord> aaaa = new ArrayList<>();
            for (InetAddress address : replicas.replicas().get(k).addresses()) {
                if (address instanceof Inet4Address v4) {
                    a.add(new ResourceRecord.A(name, replicas.ttl(), v4));
                } else {
                    aaaa.add(new ResourceRecord.Aaaa(name, replicas.ttl(), (Inet6Address) address));
                }
            }
            List<ResourceRecord> any = new ArrayList<>(a);
            any.addAll(aaaa);
            put(NameNode.SLOT_A, k, a, scope, scope6);
            put(NameNode.SLOT_AAAA, k, aaaa, scope, scope6);
            put(NameNode.SLOT_ANY, k, any, scope, scope6);
        }
    }

    private void put(int slot, int k, List<ResourceRecord> records, int scope, int scope6) {
        if (!records.isEmpty()) {
            // chosen by client: a resolver that sent a client subnet caches it for that subnet only
            running[slot][k] = new Answer.Found(records, List.of(), List.of(), scope);
            runningMono[slot][k] = Mono.just(running[slot][k]);
            runningMono6[slot][k] = scope6 == scope ? runningMono[slot][k]
                    : Mono.just(new Answer.Found(records, List.of(), List.of(), scope6));
        }
    }

    /**
     * Who the client is, for {@link NamedReplicas.Selection#CLIENT} and {@code NEAREST}: the client subnet a resolver sent
     * (EDNS Client Subnet), else the source address (the resolver's, or a stub's).
     */
    private static InetAddress who(Query query) {
        ClientSubnet subnet = query.subnet();
        return subnet != null ? subnet.address() : query.client().getAddress();
    }

    @Override
    public ManagedService service() {
        return set.replica(0);
    }

    @Override
    public Mono<Answer> warm(Query query) {
        int slot = NameNode.slot(query.type());
        if (slot != NameNode.SLOT_A && slot != NameNode.SLOT_AAAA && slot != NameNode.SLOT_ANY) {
            return null;
        }
        int k = pick(query);
        return k < 0 ? null : answer(query, slot, k);
    }

    private int pick(Query query) {
        return switch (selection) {
            case ROUND_ROBIN -> set.pickRoundRobin(next.getAndIncrement());
            case CLIENT -> set.pickFor(who(query).hashCode());
            case NEAREST -> {
                InetAddress who = who(query);
                yield set.pickAmong(sites.preferred(who), who.hashCode());
            }
        };
    }

    private Mono<Answer> answer(Query query, int slot, int k) {
        ClientSubnet subnet = query.subnet();
        Mono<Answer> m = subnet != null && subnet.family() == 2 ? runningMono6[slot][k] : runningMono[slot][k];
        return m != null ? m : noData;
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        int slot = NameNode.slot(query.type());
        if (slot != NameNode.SLOT_A && slot != NameNode.SLOT_AAAA && slot != NameNode.SLOT_ANY) {
            set.replica(0).touch();
            return noData;
        }
        int k = pick(query);
        if (k >= 0) {
            return answer(query, slot, k);
        }
        return set.ensureRunning()
                .map(first -> running[slot][first] != null ? (Answer) running[slot][first] : noDataAnswer)
                .onErrorResume(ServiceUnavailableException.class,
                        e -> Mono.just(new Answer.ServerFailure(e.getMessage())));
    }
}
