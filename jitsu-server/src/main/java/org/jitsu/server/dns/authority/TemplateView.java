package org.jitsu.server.dns.authority;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.core.Admission;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ReplicaSet;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.core.TemplateInstances;
import reactor.core.publisher.Mono;

/** A template as the index answers for it: its instances, its zone, its prebuilt negative answers. */
final class TemplateView {
    final NamedTemplate named;
    final TemplateInstances instances;
    final ZoneDefinition zone;
    final Mono<Answer> noData;
    final Mono<Answer> refusal;
    private final Answer noDataAnswer;
    private final Map<Answer, Mono<Answer>> shared = new IdentityHashMap<>(); // guarded by this

    TemplateView(NamedTemplate named, TemplateInstances instances, ZoneDefinition zone, Answer.NoData noData) {
        this.named = named;
        this.instances = instances;
        this.zone = zone;
        this.noDataAnswer = noData;
        this.noData = Mono.just(noData);
        this.refusal = Mono.just(named.refuseWithRefused()
                ? new Answer.Refused("template " + named.id() + ": over budget")
                : new Answer.ServerFailure("template " + named.id() + ": over budget"));
    }

    /**
     * The node of one instance's name: its address records (with replicas, one set per replica), NoData for
     * the other types.
     */
    synchronized AnswerNode node(DomainName name, Admission.Admitted admitted) {
        ReplicaSet set = admitted.replicas();
        if (set != null) {
            List<ServiceDefinition> defs = new ArrayList<>();
            for (int k = 0; k < set.size(); k++) {
                defs.add(set.replica(k).definition());
            }
            NamedReplicas replicas = new NamedReplicas(set.id(), defs, set.policy(), List.of(name), named.ttl(),
                    named.selection(), named.sites());
            return new ReplicaNode(name, replicas, set, noDataAnswer);
        }
        ManagedService service = admitted.service();
        ZoneIndex.Pending p = new ZoneIndex.Pending(zone);
        p.service = Optional.of(service);
        p.serviceRecords.addAll(ZoneIndex.addressRecords(name, named.ttl(), service.definition().addresses()));
        return p.toNode(Map.of(), noDataAnswer, shared);
    }
}
