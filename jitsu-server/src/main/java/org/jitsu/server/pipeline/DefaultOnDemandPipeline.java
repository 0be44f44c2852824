package org.jitsu.server.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.backend.Backend;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The {@link OnDemandPipeline}: a {@link ZoneIndex} for the answers, one {@link ServiceRuntime} per
 * service for the state, a shared {@link BootGate} for the boot limits, and the idle ticks and backend
 * event subscriptions that {@link #start()} sets up.
 */
final class DefaultOnDemandPipeline implements OnDemandPipeline {
    private static final Logger log = LoggerFactory.getLogger(DefaultOnDemandPipeline.class);

    private final ZoneIndex index;
    private final Map<String, ServiceRuntime> services;
    private final Scheduler timer;
    private final Duration idleCheckInterval;
    private final Disposable.Composite running = Disposables.composite();
    private final AtomicBoolean started = new AtomicBoolean();

    DefaultOnDemandPipeline(List<ZoneDefinition> zones, List<ServiceDefinition> definitions, BootLimits limits,
                            Duration idleCheckInterval, Scheduler timer, PipelineMetrics metrics) {
        BootGate gate = new BootGate(limits, metrics);
        Map<String, ServiceRuntime> byId = new LinkedHashMap<>();
        for (ServiceDefinition def : definitions) {
            ServiceRuntime runtime = new ServiceRuntime(def, timer, gate, limits, metrics);
            if (byId.putIfAbsent(def.id(), runtime) != null) {
                throw new IllegalArgumentException("service id " + def.id() + " is used twice");
            }
        }
        this.services = byId;
        this.index = ZoneIndex.build(zones, List.copyOf(byId.values()));
        this.timer = timer;
        this.idleCheckInterval = idleCheckInterval;
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        return index.resolve(query);
    }

    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> {
            if (!started.compareAndSet(false, true)) {
                return Mono.empty(); // already started: nothing to do twice
            }
            // events first, so that no crash between the state read and the subscription is missed
            subscribeToEvents();
            return Flux.fromIterable(services.values())
                    .flatMap(s -> Mono.defer(() -> s.definition().vm().state())
                            .defaultIfEmpty(VmState.UNKNOWN)
                            .onErrorResume(e -> {
                                log.warn("service {}: could not read the state of VM {}: {}", s.id(),
                                        s.definition().vm().id(), e.toString());
                                return Mono.just(VmState.UNKNOWN);
                            })
                            .doOnNext(s::adopt))
                    .then(Mono.fromRunnable(this::startIdleChecks));
        });
    }

    private void subscribeToEvents() {
        // per distinct backend (by equals: identity unless a backend says otherwise), the runtimes by VM id
        Map<Backend, Map<String, List<ServiceRuntime>>> byBackend = new LinkedHashMap<>();
        for (ServiceRuntime s : services.values()) {
            byBackend.computeIfAbsent(s.definition().vm().backend(), b -> new LinkedHashMap<>())
                    .computeIfAbsent(s.definition().vm().id(), id -> new ArrayList<>())
                    .add(s);
        }
        byBackend.forEach((backend, byVm) -> running.add(backend.events()
                .subscribe(event -> dispatch(byVm, event),
                        e -> log.warn("backend {}: event stream failed: {}", backend.name(), e.toString()))));
    }

    private static void dispatch(Map<String, List<ServiceRuntime>> byVm, VmEvent event) {
        for (ServiceRuntime s : byVm.getOrDefault(event.vmId(), List.of())) {
            s.onEvent(event);
        }
    }

    private void startIdleChecks() {
        running.add(Flux.interval(idleCheckInterval, idleCheckInterval, timer)
                .onBackpressureDrop()
                .subscribe(tick -> {
                    for (ServiceRuntime s : services.values()) {
                        try {
                            s.idleCheck();
                        } catch (RuntimeException e) {
                            log.error("service {}: idle check failed", s.id(), e);
                        }
                    }
                }));
    }

    @Override
    public List<ServiceStatus> services() {
        List<ServiceStatus> out = new ArrayList<>(services.size());
        for (ServiceRuntime s : services.values()) {
            out.add(s.status());
        }
        return List.copyOf(out);
    }

    @Override
    public Optional<ServiceStatus> service(String id) {
        return Optional.ofNullable(services.get(id)).map(ServiceRuntime::status);
    }

    @Override
    public void close() {
        running.dispose();
    }
}
