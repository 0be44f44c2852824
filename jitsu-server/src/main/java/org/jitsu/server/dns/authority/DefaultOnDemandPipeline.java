package org.jitsu.server.dns.authority;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.core.TemplateInstances;
import reactor.core.publisher.Mono;

/**
 * The {@link OnDemandPipeline}: a {@link ZoneIndex} whose service names hold the core's
 * {@link ManagedService}s, behind a volatile field. A reload prepares the core's change, builds the new
 * index on the services the core will have, and swaps both in together, so a query sees either the old
 * or the new configuration, never a mix, and none is dropped.
 */
final class DefaultOnDemandPipeline implements OnDemandPipeline {
    private final OnDemandCore core;
    private volatile View current;

    private final Set<TemplateInstances> listened = Collections.newSetFromMap(new IdentityHashMap<>());

    DefaultOnDemandPipeline(OnDemandCore core, List<ZoneDefinition> zones, List<NamedService> services,
                            List<NamedTemplate> templates) {
        this.core = core;
        try {
            this.current = new View(ZoneIndex.build(zones, services, id -> core.service(id).orElseThrow(), templates,
                    id -> core.template(id).orElseThrow()), services, List.copyOf(templates));
            listen(id -> core.template(id).orElseThrow(), templates);
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    /** Drops an instance's node from the current index when the core forgets it (once per template runtime). */
    private synchronized void listen(Function<String, TemplateInstances> runtimes,
                                     List<NamedTemplate> templates) {
        for (NamedTemplate t : templates) {
            TemplateInstances instances = runtimes.apply(t.id());
            if (listened.add(instances)) {
                instances.onForgotten(s -> current.index.forgotten(t.id(), s));
            }
        }
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        return current.index.resolve(query);
    }

    @Override
    public OnDemandCore core() {
        return core;
    }

    @Override
    public List<NamedService> definitions() {
        return current.services;
    }

    @Override
    public List<NamedTemplate> templates() {
        return current.templates;
    }

    @Override
    public synchronized ReloadResult reload(List<ZoneDefinition> zones, List<NamedService> services,
                                            List<NamedTemplate> templates) {
        OnDemandCore.Reload reload = core.prepare(PipelineBuilder.definitions(services),
                PipelineBuilder.coreTemplates(templates));
        // throws before anything changes: the core's change is only prepared
        View next = new View(ZoneIndex.build(zones, services, id -> reload.service(id).orElseThrow(), templates,
                id -> reload.template(id).orElseThrow()), List.copyOf(services), List.copyOf(templates));
        listen(id -> reload.template(id).orElseThrow(), templates);
        return reload.commit(() -> current = next);
    }

    /** Template instance nodes the current index holds (for tests of the memory bound). */
    int instanceNodes() {
        return current.index.instanceNodes();
    }

    @Override
    public void close() {
        core.close();
    }

    /** One configuration: the index and the services it was built from. */
    private record View(ZoneIndex index, List<NamedService> services, List<NamedTemplate> templates) {
    }
}
