package org.jitsu.server.dns.authority;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.server.core.ReplicaSet;
import org.jitsu.server.core.ServiceUnavailableException;
import reactor.core.publisher.Mono;

/**
 * The answers for one name of a replicated service, prebuilt per replica: an address question picks a
 * running replica for the client ({@link NamedReplicas.Selection}) and gets that replica's records, a
 * scalar {@code Mono} with nothing allocated; with none running, the first replica boots and the
 * question waits for it. Other questions get NoData and count as traffic that boots the first replica.
 */
final class ReplicaNode {
    private final ReplicaSet set;
    private final NamedReplicas.Selection selection;
    private final AtomicInteger next = new AtomicInteger();
    /** [slot][replica]: the replica's answer for the slot, or null when it has no records of that type. */
    private final Answer.Found[][] running;
    private final Mono<Answer>[][] runningMono;
    private final Answer noDataAnswer;
    private final Mono<Answer> noData;

    @SuppressWarnings({"unchecked", "rawtypes"})
    ReplicaNode(DomainName name, NamedReplicas replicas, ReplicaSet set, Answer noData) {
        this.set = set;
        this.selection = replicas.selection();
        this.noDataAnswer = noData;
        this.noData = Mono.just(noData);
        int n = replicas.replicas().size();
        running = new Answer.Found[NameNode.SLOTS][n];
        runningMono = new Mono[NameNode.SLOTS][n];
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
            put(NameNode.SLOT_A, k, a);
            put(NameNode.SLOT_AAAA, k, aaaa);
            put(NameNode.SLOT_ANY, k, any);
        }
    }

    private void put(int slot, int k, List<ResourceRecord> records) {
        if (!records.isEmpty()) {
            // chosen by client: a resolver that sent a client subnet caches it for that subnet only
            running[slot][k] = new Answer.Found(records, List.of(), List.of(),
                    selection == NamedReplicas.Selection.CLIENT);
            runningMono[slot][k] = Mono.just(running[slot][k]);
        }
    }

    /**
     * Who the client is, for {@link NamedReplicas.Selection#CLIENT}: the client subnet a resolver sent
     * (EDNS Client Subnet), else the source address (the resolver's, or a stub's).
     */
    private static int clientHash(Query query) {
        ClientSubnet subnet = query.subnet();
        InetAddress who = subnet != null ? subnet.address() : query.client().getAddress();
        return who.hashCode();
    }

    Mono<Answer> resolve(Query query) {
        int slot = NameNode.slot(query.type());
        if (slot != NameNode.SLOT_A && slot != NameNode.SLOT_AAAA && slot != NameNode.SLOT_ANY) {
            set.replica(0).touch();
            return noData;
        }
        int k = selection == NamedReplicas.Selection.ROUND_ROBIN ? set.pickRoundRobin(next.getAndIncrement())
                : set.pickFor(clientHash(query));
        if (k >= 0) {
            Mono<Answer> m = runningMono[slot][k];
            return m != null ? m : noData;
        }
        return set.ensureRunning()
                .map(first -> running[slot][first] != null ? (Answer) running[slot][first] : noDataAnswer)
                .onErrorResume(ServiceUnavailableException.class,
                        e -> Mono.just(new Answer.ServerFailure(e.getMessage())));
    }
}
