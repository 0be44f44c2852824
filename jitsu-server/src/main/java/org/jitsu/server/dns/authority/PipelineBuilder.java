package org.jitsu.server.dns.authority;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.core.ServiceJournal;
import org.jitsu.server.core.ServiceTemplate;
import org.jitsu.server.core.ServiceTraffic;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The {@link OnDemandPipeline.Builder}: the zones and names here, everything else to the core's builder. */
final class PipelineBuilder implements OnDemandPipeline.Builder {
    private final OnDemandCore.Builder core = OnDemandCore.builder();
    private List<ZoneDefinition> zones = List.of();
    private List<NamedService> services = List.of();
    private List<NamedTemplate> templates = List.of();
    private List<NamedReplicas> replicated = List.of();
    private Scheduler timer = Schedulers.parallel();
    private Duration idleCheckInterval = Duration.ofSeconds(5); // the core's default

    @Override
    public OnDemandPipeline.Builder zones(List<ZoneDefinition> zones) {
        this.zones = List.copyOf(zones);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder services(List<NamedService> services) {
        this.services = List.copyOf(services);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder templates(List<NamedTemplate> templates) {
        this.templates = List.copyOf(templates);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder replicated(List<NamedReplicas> replicated) {
        this.replicated = List.copyOf(replicated);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder bootLimits(BootLimits limits) {
        core.bootLimits(limits);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder idleCheckInterval(Duration interval) {
        core.idleCheckInterval(interval);
        this.idleCheckInterval = interval;
        return this;
    }

    @Override
    public OnDemandPipeline.Builder timer(Scheduler timer) {
        core.timer(timer);
        this.timer = timer;
        return this;
    }

    @Override
    public OnDemandPipeline.Builder metrics(CoreMetrics metrics) {
        core.metrics(metrics);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder journal(ServiceJournal journal) {
        core.journal(journal);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder coordinator(BootCoordinator coordinator) {
        core.coordinator(coordinator);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder traffic(ServiceTraffic traffic) {
        core.traffic(traffic);
        return this;
    }

    /**
     * @throws IllegalArgumentException when a service id or name is used twice or a name is in no zone
     *     (each message names the offender)
     */
    @Override
    public OnDemandPipeline build() {
        List<ServiceDefinition> all = new ArrayList<>(definitions(services));
        all.addAll(DefaultOnDemandPipeline.replicaDefinitions(replicated));
        OnDemandCore built = core.services(all).templates(coreTemplates(templates)).build();
        return new DefaultOnDemandPipeline(built, zones, services, templates, replicated, timer, idleCheckInterval);
    }

    /** The core's templates of {@code templates}, in order. */
    static List<ServiceTemplate> coreTemplates(List<NamedTemplate> templates) {
        return templates.stream().map(NamedTemplate::template).toList();
    }

    /** The core's definitions of {@code services}, in order. */
    static List<ServiceDefinition> definitions(List<NamedService> services) {
        List<ServiceDefinition> out = new ArrayList<>(services.size());
        for (NamedService s : services) {
            out.add(s.service());
        }
        return out;
    }
}
