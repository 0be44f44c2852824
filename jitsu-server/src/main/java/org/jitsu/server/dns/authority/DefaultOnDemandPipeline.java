package org.jitsu.server.dns.authority;

import java.util.List;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ReloadResult;
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

    DefaultOnDemandPipeline(OnDemandCore core, List<ZoneDefinition> zones, List<NamedService> services) {
        this.core = core;
        try {
            this.current = new View(ZoneIndex.build(zones, services, id -> core.service(id).orElseThrow()),
                    services);
        } catch (RuntimeException e) {
            core.close();
            throw e;
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
    public synchronized ReloadResult reload(List<ZoneDefinition> zones, List<NamedService> services) {
        OnDemandCore.Reload reload = core.prepare(PipelineBuilder.definitions(services));
        // throws before anything changes: the core's change is only prepared
        View next = new View(ZoneIndex.build(zones, services, id -> reload.service(id).orElseThrow()),
                List.copyOf(services));
        return reload.commit(() -> current = next);
    }

    @Override
    public void close() {
        core.close();
    }

    /** One configuration: the index and the services it was built from. */
    private record View(ZoneIndex index, List<NamedService> services) {
    }
}
