package org.jitsu.server.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The on-demand core: services that run when asked for and stop when idle. It owns each service's
 * state machine, the de-duplication of boots (one boot per service however many callers wait), the
 * boot gate, idle stops, backend events, adoption of running VMs, and the ports to the journal and
 * to other instances. It knows nothing of how its clients are reached: the DNS authority is one
 * client, an operator's API another.
 *
 * <pre>{@code
 * OnDemandCore core = OnDemandCore.builder()
 *         .services(definitions)
 *         .timer(Schedulers.parallel())
 *         .build();
 * core.start().block();                               // adopts running VMs, starts idle checks
 * core.service("www").orElseThrow().ensureRunning()   // Mono<Endpoints>
 * }</pre>
 */
public interface OnDemandCore extends AutoCloseable {

    /**
     * A builder with the defaults: no services, {@link BootLimits#DEFAULT}, idle checks every 5 s,
     * {@code Schedulers.parallel()} as timer, no metrics, no journal, a single instance.
     */
    static Builder builder() {
        return new CoreBuilder();
    }

    /**
     * Reads every service's VM state (VMs found running are adopted and given a full idle period),
     * subscribes to backend events and starts the idle checks. A second call does nothing.
     */
    Mono<Void> start();

    /** The service with this id, if configured now, or the known template instance with this id. */
    Optional<ManagedService> service(String id);

    /** Every service now configured, in configuration order. */
    List<ManagedService> services();

    /** The template with this id, if configured now. */
    Optional<TemplateInstances> template(String id);

    /** Every template now configured, in configuration order. */
    List<TemplateInstances> templates();

    /** The status of every service, in configuration order, then of every template's known instances. */
    List<ServiceStatus> statuses();

    /** The status of one service, if configured now. */
    default Optional<ServiceStatus> status(String id) {
        return service(id).map(ManagedService::status);
    }

    /**
     * Prepares a change of the services: services with an equal definition keep their runtime (a running
     * one stays running, its idle clock and counters carry over); new and changed ones get new runtimes.
     * Nothing is visible until {@link Reload#commit}; a prepared reload that is never committed changes
     * nothing.
     *
     * @throws IllegalArgumentException naming the offender (an id used twice), before anything changes
     */
    default Reload prepare(List<ServiceDefinition> services) {
        return prepare(services, templates().stream().map(TemplateInstances::template).toList());
    }

    /**
     * As {@link #prepare(List)}, with templates too: a template with an equal definition (same id and
     * source) keeps its instances; the instances of a changed or removed template are stopped and
     * forgotten after the commit.
     *
     * @throws IllegalArgumentException naming the offender (an id used twice, by services or templates)
     */
    Reload prepare(List<ServiceDefinition> services, List<ServiceTemplate> templates);

    /** Stops every service (after its boot in flight, if any); {@code reason} goes to logs and metrics. */
    Mono<Void> stopAll(String reason);

    /** Completes once no boot is in flight, checked every {@code poll} on the timer (bound it with a timeout). */
    Mono<Void> bootsDone(Duration poll);

    /** Stops the idle checks and event subscriptions. Services are left as they are. */
    @Override
    void close();

    /** A prepared change of the services (see {@link #prepare}). */
    interface Reload {
        /** The service with this id as it will be after the commit: what a client builds its view on. */
        Optional<ManagedService> service(String id);

        /** The template with this id as it will be after the commit. */
        Optional<TemplateInstances> template(String id);

        /**
         * Makes the new services current, runs {@code publish} (where a client swaps in the view it built
         * on {@link #service}), then stops the removed services and the old versions of changed ones in
         * the background. Callable once.
         */
        ReloadResult commit(Runnable publish);
    }

    /** Configures an {@link OnDemandCore}; {@link #build()} validates once. */
    interface Builder {
        Builder services(List<ServiceDefinition> services);

        /** Templates whose instances are made on demand (default none). */
        Builder templates(List<ServiceTemplate> templates);

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

        /** Connections held or spliced outside the core that count as traffic (default {@link ServiceTraffic#NONE}). */
        Builder traffic(ServiceTraffic traffic);

        /** @throws IllegalArgumentException naming the offender when a service id is used twice */
        OnDemandCore build();
    }
}
