package org.jitsu.server.dns.authority;

import java.time.Duration;
import java.util.List;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.core.ServiceJournal;
import org.jitsu.server.core.ServiceTraffic;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The DNS side of Jitsu: authoritative answers from the zones, and for a service's names, the service's
 * addresses once it runs — the {@link OnDemandCore} boots it first when needed (one boot per service
 * however many queries arrive) and stops it when idle.
 *
 * <pre>{@code
 * OnDemandPipeline pipeline = OnDemandPipeline.builder()
 *         .zones(zones)
 *         .services(services)
 *         .bootLimits(BootLimits.DEFAULT)
 *         .timer(Schedulers.parallel())
 *         .build();
 * pipeline.start().block();   // adopts running VMs, starts the idle checks
 * }</pre>
 */
public interface OnDemandPipeline extends QueryPipeline, AutoCloseable {

    /**
     * A builder with the defaults: no zones, no services, and the core's defaults
     * ({@link OnDemandCore#builder()}).
     */
    static Builder builder() {
        return new PipelineBuilder();
    }

    /** The on-demand core the answers are built on: services, their state, operators' starts and stops. */
    OnDemandCore core();

    /** Starts the core (see {@link OnDemandCore#start()}). */
    /** Starts the core ({@link OnDemandCore#start()}) and the replicated services' scaling. */
    Mono<Void> start();

    /** The services now published (after reloads), in config order. */
    List<NamedService> definitions();

    /**
     * Replaces zones and services at once: the core keeps the runtime of every service whose core
     * definition is equal (a service whose names or TTL changed keeps its VM running), and a query sees
     * either the old or the new zones, never a mix. Removed services, and the old versions of changed
     * ones, are stopped in the background.
     *
     * @throws IllegalArgumentException as {@link Builder#build()}, before anything changes
     */
    default ReloadResult reload(List<ZoneDefinition> zones, List<NamedService> services) {
        return reload(zones, services, templates(), replicated());
    }

    /**
     * As {@link #reload(List, List)}, with templates (see {@link OnDemandCore#prepare(List, List)}) and
     * replicated services (their replicas are kept like services).
     */
    ReloadResult reload(List<ZoneDefinition> zones, List<NamedService> services, List<NamedTemplate> templates,
                        List<NamedReplicas> replicated);

    /** The templates now configured. */
    List<NamedTemplate> templates();

    /** The replicated services now configured. */
    List<NamedReplicas> replicated();

    /** Closes the core (idle checks, event subscriptions). Services are left as they are. */
    @Override
    void close();

    /**
     * Configures an {@link OnDemandPipeline} and its core. {@link #build()} validates everything once and
     * throws {@link IllegalArgumentException} naming the offender: a zone defined twice, a service id or
     * a name used twice (also a service name that is a static host), a service name in no zone.
     */
    interface Builder {
        Builder zones(List<ZoneDefinition> zones);

        Builder services(List<NamedService> services);

        Builder templates(List<NamedTemplate> templates);

        Builder replicated(List<NamedReplicas> replicated);

        Builder bootLimits(BootLimits limits);

        /** Period of the idle check (default 5 s). */
        Builder idleCheckInterval(Duration interval);

        /** All time: now(), timeouts, idle ticks. Virtual in tests. */
        Builder timer(Scheduler timer);

        Builder metrics(CoreMetrics metrics);

        /** Where state and counters are kept across restarts (default {@link ServiceJournal#NONE}). */
        Builder journal(ServiceJournal journal);

        /** How boots and stops are agreed with other instances (default {@link BootCoordinator#LOCAL}). */
        Builder coordinator(BootCoordinator coordinator);

        /** Connections held or spliced outside the pipeline that count as traffic (the front's book). */
        Builder traffic(ServiceTraffic traffic);

        OnDemandPipeline build();
    }
}
