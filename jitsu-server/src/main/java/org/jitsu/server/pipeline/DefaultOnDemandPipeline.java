package org.jitsu.server.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>The index and the services are one immutable {@link Snapshot} behind a volatile field: a reload
 * builds a new snapshot (reusing the runtimes of unchanged services) and swaps it in at once, so a
 * query sees either the old or the new configuration, never a mix, and none is dropped.
 */
final class DefaultOnDemandPipeline implements OnDemandPipeline {
    private static final Logger log = LoggerFactory.getLogger(DefaultOnDemandPipeline.class);

    private final Scheduler timer;
    private final Duration idleCheckInterval;
    private final BootGate gate;
    private final BootLimits limits;
    private final PipelineMetrics metrics;
    private final ServiceJournal journal;
    private final BootCoordinator coordinator;
    private final Disposable.Composite running = Disposables.composite();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Set<Backend> subscribed = new HashSet<>(); // guarded by this
    private volatile Snapshot current;

    DefaultOnDemandPipeline(List<ZoneDefinition> zones, List<ServiceDefinition> definitions, BootLimits limits,
                            Duration idleCheckInterval, Scheduler timer, PipelineMetrics metrics,
                            ServiceJournal journal, BootCoordinator coordinator) {
        this.journal = journal;
        this.coordinator = coordinator;
        this.gate = new BootGate(limits, metrics);
        this.limits = limits;
        this.metrics = metrics;
        this.timer = timer;
        this.idleCheckInterval = idleCheckInterval;
        this.current = snapshot(zones, definitions, Map.of());
    }

    /** Builds a snapshot; runtimes of {@code reuse} whose definition is equal are kept. */
    private Snapshot snapshot(List<ZoneDefinition> zones, List<ServiceDefinition> definitions,
                              Map<String, ServiceRuntime> reuse) {
        Map<String, ServiceRuntime> byId = new LinkedHashMap<>();
        for (ServiceDefinition def : definitions) {
            ServiceRuntime old = reuse.get(def.id());
            ServiceRuntime runtime = old != null && old.definition().equals(def) ? old
                    : new ServiceRuntime(def, timer, gate, limits, metrics, journal, coordinator);
            if (byId.putIfAbsent(def.id(), runtime) != null) {
                throw new IllegalArgumentException("service id " + def.id() + " is used twice");
            }
        }
        ZoneIndex index = ZoneIndex.build(zones, List.copyOf(byId.values()));
        Map<Backend, Map<String, List<ServiceRuntime>>> byBackend = new LinkedHashMap<>();
        for (ServiceRuntime s : byId.values()) {
            // almost always one runtime per VM: an immutable one-element list, not an ArrayList of 10
            byBackend.computeIfAbsent(s.definition().vm().backend(), b -> new HashMap<>())
                    .merge(s.definition().vm().id(), List.of(s), (a, b) -> {
                        List<ServiceRuntime> both = new ArrayList<>(a);
                        both.addAll(b);
                        return List.copyOf(both);
                    });
        }
        return new Snapshot(index, byId, byBackend);
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        return current.index.resolve(query);
    }

    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> {
            if (!started.compareAndSet(false, true)) {
                return Mono.empty(); // already started: nothing to do twice
            }
            // events first, so that no crash between the state read and the subscription is missed
            subscribeToEvents(current);
            // a VM a dead owner left behind is taken over by the runtime of the current configuration
            coordinator.onLeftBehind(id -> {
                ServiceRuntime s = current.services.get(id);
                if (s != null) {
                    s.leftBehind();
                }
            });
            return adopt(current.services.values())
                    .then(Mono.fromRunnable(this::startIdleChecks));
        });
    }

    private Mono<Void> adopt(Iterable<ServiceRuntime> runtimes) {
        return Flux.fromIterable(runtimes)
                .flatMap(s -> Mono.defer(() -> s.definition().vm().state())
                        .defaultIfEmpty(VmState.UNKNOWN)
                        .onErrorResume(e -> {
                            log.warn("service {}: could not read the state of VM {}: {}", s.id(),
                                    s.definition().vm().id(), e.toString());
                            return Mono.just(VmState.UNKNOWN);
                        })
                        .doOnNext(s::adopt))
                .then();
    }

    private synchronized void subscribeToEvents(Snapshot snapshot) {
        for (Backend backend : snapshot.byBackend.keySet()) {
            if (subscribed.add(backend)) {
                // dispatches through the current snapshot, so that reloaded services get their events
                running.add(backend.events()
                        .subscribe(event -> dispatch(backend, event),
                                e -> log.warn("backend {}: event stream failed: {}", backend.name(), e.toString())));
            }
        }
    }

    private void dispatch(Backend backend, VmEvent event) {
        Map<String, List<ServiceRuntime>> byVm = current.byBackend.getOrDefault(backend, Map.of());
        for (ServiceRuntime s : byVm.getOrDefault(event.vmId(), List.of())) {
            s.onEvent(event);
        }
    }

    private void startIdleChecks() {
        running.add(Flux.interval(idleCheckInterval, idleCheckInterval, timer)
                .onBackpressureDrop()
                .subscribe(tick -> {
                    for (ServiceRuntime s : current.services.values()) {
                        try {
                            s.idleCheck();
                        } catch (RuntimeException e) {
                            log.error("service {}: idle check failed", s.id(), e);
                        }
                    }
                }));
    }

    @Override
    public synchronized ReloadResult reload(List<ZoneDefinition> zones, List<ServiceDefinition> services) {
        PipelineBuilder.validate(services);
        Snapshot old = current;
        Snapshot next = snapshot(zones, services, old.services); // throws before anything changes
        List<String> kept = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<ServiceRuntime> fresh = new ArrayList<>();
        for (ServiceRuntime s : next.services.values()) {
            ServiceRuntime before = old.services.get(s.id());
            if (before == s) {
                kept.add(s.id());
            } else {
                (before == null ? added : changed).add(s.id());
                fresh.add(s);
            }
        }
        List<ServiceRuntime> retired = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (ServiceRuntime s : old.services.values()) {
            if (next.services.get(s.id()) != s) {
                retired.add(s);
                if (!next.services.containsKey(s.id())) {
                    removed.add(s.id());
                }
            }
        }
        current = next;
        if (started.get()) {
            subscribeToEvents(next);
            // old runtimes stop their VMs; a changed service's new runtime looks at its VM afterwards
            Flux.fromIterable(retired)
                    .flatMap(s -> s.stop("removed").onErrorResume(e -> Mono.empty()))
                    .then(adopt(fresh))
                    .subscribe(null, e -> log.warn("reload: {}", e.toString()));
        }
        ReloadResult result = new ReloadResult(kept, added, changed, removed);
        log.info("reload: {}", result);
        return result;
    }

    @Override
    public Optional<Mono<Optional<String>>> startService(String id) {
        return Optional.ofNullable(current.services.get(id)).map(ServiceRuntime::operatorStart);
    }

    @Override
    public Optional<Mono<Void>> stopService(String id) {
        return Optional.ofNullable(current.services.get(id)).map(s -> s.stop("operator"));
    }

    @Override
    public Mono<Void> stopAll(String reason) {
        return Flux.fromIterable(current.services.values())
                .flatMap(s -> s.stop(reason).onErrorResume(e -> Mono.empty()))
                .then();
    }

    @Override
    public Mono<Void> bootsDone(Duration poll) {
        return Mono.defer(() -> noBoots() ? Mono.<Void>empty() : Flux.interval(poll, poll, timer)
                .filter(tick -> noBoots())
                .next()
                .then());
    }

    private boolean noBoots() {
        for (ServiceRuntime s : current.services.values()) {
            if (!s.idle()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<ServiceStatus> services() {
        Map<String, ServiceRuntime> services = current.services;
        List<ServiceStatus> out = new ArrayList<>(services.size());
        for (ServiceRuntime s : services.values()) {
            out.add(s.status());
        }
        return List.copyOf(out);
    }

    @Override
    public List<ServiceDefinition> definitions() {
        List<ServiceDefinition> out = new ArrayList<>();
        for (ServiceRuntime s : current.services.values()) {
            out.add(s.definition());
        }
        return List.copyOf(out);
    }

    @Override
    public Optional<ServiceStatus> service(String id) {
        return Optional.ofNullable(current.services.get(id)).map(ServiceRuntime::status);
    }

    @Override
    public void close() {
        running.dispose();
    }

    /** One configuration: the index and the runtimes it refers to, by id and by backend and VM. */
    private record Snapshot(ZoneIndex index, Map<String, ServiceRuntime> services,
                            Map<Backend, Map<String, List<ServiceRuntime>>> byBackend) {
    }
}
