package org.jitsu.server.dns.authority;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.core.ManagedService;
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

    /** The node of one instance's name: its address records, NoData for the other types. */
    synchronized NameNode node(DomainName name, ManagedService service) {
        ZoneIndex.Pending p = new ZoneIndex.Pending(zone);
        p.service = Optional.of(service);
        p.serviceRecords.addAll(ZoneIndex.addressRecords(name, named.ttl(), service.definition().addresses()));
        return p.toNode(Map.of(), noDataAnswer, shared);
    }
}
