package org.jitsu.server.pipeline;

import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The on-demand pipeline: authoritative answers from the zones, and for managed names, the service's
 * addresses once it runs, booting it first when needed (one boot per service however many queries
 * arrive), and stopping it when idle.
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
     * A builder with the defaults: no zones, no services, {@link BootLimits#DEFAULT}, idle checks every
     * 5 s, {@code Schedulers.parallel()} as timer, {@link PipelineMetrics#NOOP}.
     */
    static Builder builder() {
        return new PipelineBuilder();
    }

    /**
     * Reads every service's VM state (VMs found running are adopted and given a full idle period),
     * subscribes to backend events and starts the idle checks.
     */
    Mono<Void> start();

    /** The state of every service, for operators and tests. */
    List<ServiceStatus> services();

    /** The state of one service. */
    Optional<ServiceStatus> service(String id);

    /** Stops the idle checks and event subscriptions. Services are left as they are. */
    @Override
    void close();

    /**
     * Configures an {@link OnDemandPipeline}. {@link #build()} validates everything once and throws
     * {@link IllegalArgumentException} naming the offender: a zone defined twice, a service id or a
     * name used twice (also a service name that is a static host), a service name in no zone, a
     * non-positive boot or idle timeout.
     */
    interface Builder {
        Builder zones(List<ZoneDefinition> zones);

        Builder services(List<ServiceDefinition> services);

        Builder bootLimits(BootLimits limits);

        /** Period of the idle check (default 5 s). */
        Builder idleCheckInterval(java.time.Duration interval);

        /** All time: now(), timeouts, idle ticks. Virtual in tests. */
        Builder timer(Scheduler timer);

        Builder metrics(PipelineMetrics metrics);

        OnDemandPipeline build();
    }
}
