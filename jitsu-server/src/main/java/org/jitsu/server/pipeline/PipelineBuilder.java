package org.jitsu.server.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The {@link OnDemandPipeline.Builder}: collects the parts, validates them once in {@link #build()}. */
final class PipelineBuilder implements OnDemandPipeline.Builder {
    static final Duration DEFAULT_IDLE_CHECK_INTERVAL = Duration.ofSeconds(5);

    private List<ZoneDefinition> zones = List.of();
    private List<ServiceDefinition> services = List.of();
    private BootLimits limits = BootLimits.DEFAULT;
    private Duration idleCheckInterval = DEFAULT_IDLE_CHECK_INTERVAL;
    private Scheduler timer = Schedulers.parallel();
    private PipelineMetrics metrics = PipelineMetrics.NOOP;
    private ServiceJournal journal = ServiceJournal.NONE;
    private BootCoordinator coordinator = BootCoordinator.LOCAL;

    @Override
    public OnDemandPipeline.Builder zones(List<ZoneDefinition> zones) {
        this.zones = List.copyOf(zones);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder services(List<ServiceDefinition> services) {
        this.services = List.copyOf(services);
        return this;
    }

    @Override
    public OnDemandPipeline.Builder bootLimits(BootLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        return this;
    }

    @Override
    public OnDemandPipeline.Builder idleCheckInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("idleCheckInterval: " + interval + " (expected: > 0)");
        }
        this.idleCheckInterval = interval;
        return this;
    }

    @Override
    public OnDemandPipeline.Builder timer(Scheduler timer) {
        this.timer = Objects.requireNonNull(timer, "timer");
        return this;
    }

    @Override
    public OnDemandPipeline.Builder metrics(PipelineMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return this;
    }

    @Override
    public OnDemandPipeline.Builder journal(ServiceJournal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    @Override
    public OnDemandPipeline.Builder coordinator(BootCoordinator coordinator) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        return this;
    }

    /**
     * @throws IllegalArgumentException when a service id or name is used twice, a name is in no zone,
     *     or a service's timeouts are not positive (each message names the offender)
     */
    @Override
    public OnDemandPipeline build() {
        validate(services);
        return new DefaultOnDemandPipeline(zones, services, limits, idleCheckInterval, timer, metrics, journal, coordinator);
    }

    /** The checks of {@link #build()} on service definitions (also run by a reload). */
    static void validate(List<ServiceDefinition> services) {
        for (ServiceDefinition s : services) {
            requirePositive(s.id(), "bootTimeout", s.bootTimeout());
            requirePositive(s.id(), "idleTimeout", s.idleTimeout());
            if (s.stopGrace().isNegative()) {
                throw new IllegalArgumentException("service " + s.id() + ": stopGrace: " + s.stopGrace()
                        + " (expected: >= 0)");
            }
            if (s.ttl() < 0) {
                throw new IllegalArgumentException("service " + s.id() + ": ttl: " + s.ttl() + " (expected: >= 0)");
            }
        }
    }

    private static void requirePositive(String id, String what, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("service " + id + ": " + what + ": " + d + " (expected: > 0)");
        }
    }
}
