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

    /** The definitions of the services now configured (after reloads), in config order. */
    List<ServiceDefinition> definitions();

    /**
     * Replaces zones and services at once (one volatile swap of an immutable index): services with an
     * equal definition keep their runtime (a running one stays running, its idle clock and counters
     * carry over); new ones are served; removed ones, and the old versions of changed ones, are
     * stopped with their stop mode in the background. Boot limits and the timer stay.
     *
     * @throws IllegalArgumentException as {@link Builder#build()}, before anything changes
     */
    ReloadResult reload(List<ZoneDefinition> zones, List<ServiceDefinition> services);

    /**
     * An operator's start of a service: boots it when it is not running. Empty when there is no such
     * service; else completes with empty once it runs, or with the reason it does not.
     */
    Optional<Mono<Optional<String>>> startService(String id);

    /** An operator's stop (stop mode of the service). Empty when there is no such service. */
    Optional<Mono<Void>> stopService(String id);

    /** Stops every service (after its boot in flight, if any); {@code reason} goes to logs and metrics. */
    Mono<Void> stopAll(String reason);

    /** Completes once no boot is in flight, checked every {@code poll} on the timer (bound it with a timeout). */
    Mono<Void> bootsDone(java.time.Duration poll);

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

        /** Where state and counters are kept across restarts (default {@link ServiceJournal#NONE}). */
        Builder journal(ServiceJournal journal);

        /** How boots and stops are agreed with other instances (default {@link BootCoordinator#LOCAL}). */
        Builder coordinator(BootCoordinator coordinator);

        OnDemandPipeline build();
    }
}
