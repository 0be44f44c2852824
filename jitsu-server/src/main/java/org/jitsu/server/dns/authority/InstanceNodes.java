package org.jitsu.server.dns.authority;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.jitsu.server.core.Admission;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ServiceTemplate;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The nodes of the template instances a {@link ZoneIndex} has answered for: one per name, made on the
 * first address question the template admits, dropped when the core forgets the instance. The warm
 * path of a running instance is a lookup here and the node's {@code warm}.
 */
final class InstanceNodes {
    private final ConcurrentHashMap<DomainName, AnswerNode> nodes = new ConcurrentHashMap<>();

    /** The warm answer of a known instance's name, or null. */
    Mono<Answer> warm(Query query) {
        AnswerNode node = nodes.get(query.name());
        return node == null ? null : node.warm(query);
    }

    /**
     * A name of a template: an address question is admitted by the template (finding or making its
     * instance) and answered by the instance's node; other questions get the known instance's answer,
     * or NoData, and never make an instance.
     */
    Mono<Answer> resolve(TemplateView t, Query query, List<String> values) {
        int slot = NameNode.slot(query.type());
        boolean address = slot == NameNode.SLOT_A || slot == NameNode.SLOT_AAAA || slot == NameNode.SLOT_ANY;
        if (!address) {
            AnswerNode known = nodes.get(query.name());
            return known != null ? known.resolve(query) : t.noData;
        }
        InetAddress client = query.client().getAddress();
        Optional<Admission> known = t.instances.admitKnown(values, client);
        if (known.isPresent()) {
            return answer(t, query, known.get());
        }
        // a new instance defines its VM (the backend may stat files): not on the caller's event loop
        return Mono.fromCallable(() -> t.instances.admit(values, client))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(a -> answer(t, query, a))
                .onErrorResume(RejectedExecutionException.class, e -> t.refusal);
    }

    private Mono<Answer> answer(TemplateView t, Query query, Admission admission) {
        if (!(admission instanceof Admission.Admitted admitted)) {
            return t.refusal;
        }
        AnswerNode node = nodes.get(query.name());
        if (node == null || node.service() != admitted.service()) {
            node = t.node(query.name(), admitted);
            nodes.put(query.name(), node);
        }
        return node.resolve(query);
    }

    /** The core forgot an instance of {@code t}'s template: its node goes (unless a newer instance has the name). */
    void forgotten(TemplateView t, ManagedService instance) {
        Optional<ServiceTemplate.InstanceId> id = t.named.template().parse(instance.id());
        if (id.isPresent()) {
            DomainName name = t.named.pattern().fill(id.get().values());
            nodes.computeIfPresent(name, (n, node) -> node.service() == instance ? null : node);
        }
    }

    int size() {
        return nodes.size();
    }
}
