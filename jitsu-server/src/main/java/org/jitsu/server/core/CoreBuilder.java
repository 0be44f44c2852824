package org.jitsu.server.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The {@link OnDemandCore.Builder}: collects the parts, validates them once in {@link #build()}. */
final class CoreBuilder implements OnDemandCore.Builder {
    static final Duration DEFAULT_IDLE_CHECK_INTERVAL = Duration.ofSeconds(5);

    private List<ServiceDefinition> services = List.of();
    private List<ServiceTemplate> templates = List.of();
    private BootLimits limits = BootLimits.DEFAULT;
    private Duration idleCheckInterval = DEFAULT_IDLE_CHECK_INTERVAL;
    private Scheduler timer = Schedulers.parallel();
    private CoreMetrics metrics = CoreMetrics.NOOP;
    private ServiceJournal journal = ServiceJournal.NONE;
    private BootCoordinator coordinator = BootCoordinator.LOCAL;
    private ServiceTraffic traffic = ServiceTraffic.NONE;

    @Override
    public OnDemandCore.Builder services(List<ServiceDefinition> services) {
        this.services = List.copyOf(services);
        return this;
    }

    @Override
    public OnDemandCore.Builder templates(List<ServiceTemplate> templates) {
        this.templates = List.copyOf(templates);
        return this;
    }

    @Override
    public OnDemandCore.Builder bootLimits(BootLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        return this;
    }

    @Override
    public OnDemandCore.Builder idleCheckInterval(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("idleCheckInterval: " + interval + " (expected: > 0)");
        }
        this.idleCheckInterval = interval;
        return this;
    }

    @Override
    public OnDemandCore.Builder timer(Scheduler timer) {
        this.timer = Objects.requireNonNull(timer, "timer");
        return this;
    }

    @Override
    public OnDemandCore.Builder metrics(CoreMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return this;
    }

    @Override
    public OnDemandCore.Builder journal(ServiceJournal journal) {
        this.journal = Objects.requireNonNull(journal, "journal");
        return this;
    }

    @Override
    public OnDemandCore.Builder traffic(ServiceTraffic traffic) {
        this.traffic = Objects.requireNonNull(traffic, "traffic");
        return this;
    }

    @Override
    public OnDemandCore.Builder coordinator(BootCoordinator coordinator) {
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        return this;
    }

    @Override
    public OnDemandCore build() {
        return new DefaultOnDemandCore(services, templates, limits, idleCheckInterval, timer, metrics, journal, coordinator,
                traffic);
    }
}
