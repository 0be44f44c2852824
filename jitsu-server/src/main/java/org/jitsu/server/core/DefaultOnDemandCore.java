package org.jitsu.server.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * The {@link OnDemandCore}: one {@link ServiceRuntime} per service, a shared {@link BootGate}, and the
 * idle ticks, backend event subscriptions and start-up adoption that {@link #start()} sets up.
 *
 * <p>The services are one immutable {@link Snapshot} behind a volatile field: a reload builds a new
 * snapshot (reusing the runtimes of unchanged services) and swaps it in at once.
 */
final class DefaultOnDemandCore implements OnDemandCore {
    private static final Logger log = LoggerFactory.getLogger(DefaultOnDemandCore.class);

    private final Scheduler timer;
    private final Duration idleCheckInterval;
    private final BootGate gate;
    private final BootLimits limits;
    private final CoreMetrics metrics;
    private final ServiceJournal journal;
    private final BootCoordinator coordinator;
    private final ServiceTraffic traffic;
    private final Disposable.Composite running = Disposables.composite();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Set<Backend> subscribed = new HashSet<>(); // guarded by this
    private volatile Snapshot current;

    DefaultOnDemandCore(List<ServiceDefinition> definitions, List<ServiceTemplate> templates, BootLimits limits,
                        Duration idleCheckInterval, Scheduler timer, CoreMetrics metrics, ServiceJournal journal,
                        BootCoordinator coordinator, ServiceTraffic traffic) {
        this.journal = journal;
        this.traffic = traffic;
        this.coordinator = coordinator;
        this.gate = new BootGate(limits, metrics);
        this.limits = limits;
        this.metrics = metrics;
        this.timer = timer;
        this.idleCheckInterval = idleCheckInterval;
        this.current = snapshot(definitions, templates, Map.of(), Map.of());
    }

    /** Builds a snapshot; runtimes and templates of {@code reuse} whose definition is equal are kept. */
    private Snapshot snapshot(List<ServiceDefinition> definitions, List<ServiceTemplate> templateDefs,
                              Map<String, ServiceRuntime> reuse, Map<String, TemplateRuntime> reuseTemplates) {
        Map<String, ServiceRuntime> byId = new LinkedHashMap<>();
        for (ServiceDefinition def : definitions) {
            ServiceRuntime old = reuse.get(def.id());
            ServiceRuntime runtime = old != null && old.definition().equals(def) ? old
                    : new ServiceRuntime(new ServiceContext(def, timer, gate, limits, metrics, journal, coordinator, traffic));
            if (byId.putIfAbsent(def.id(), runtime) != null) {
                throw new IllegalArgumentException("service id " + def.id() + " is used twice");
            }
        }
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
        Map<String, TemplateRuntime> templates = new LinkedHashMap<>();
        for (ServiceTemplate t : templateDefs) {
            if (byId.containsKey(t.id()) || templates.containsKey(t.id())) {
                throw new IllegalArgumentException("id " + t.id() + " is used twice (by services and templates)");
            }
            TemplateRuntime old = reuseTemplates.get(t.id());
            templates.put(t.id(), old != null && old.template().equals(t) ? old : templateRuntime(t));
        }
        return new Snapshot(byId, byBackend, templates);
    }

    private TemplateRuntime templateRuntime(ServiceTemplate t) {
        return new TemplateRuntime(t, () -> timer.now(TimeUnit.MILLISECONDS), metrics, journal, coordinator,
                parts -> new ServiceRuntime(new ServiceContext(parts.definition(), timer, gate, limits, parts.metrics(),
                        parts.journal(), coordinator, traffic)),
                backend -> {
                    if (started.get()) {
                        subscribeTo(backend);
                    }
                }, timer, idleCheckInterval);
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
                // a template instance left behind elsewhere is taken over when its name is asked again
            });
            List<ServiceRuntime> toAdopt = new ArrayList<>(current.services.values());
            for (TemplateRuntime t : current.templates.values()) {
                toAdopt.addAll(t.restore());
            }
            return adopt(toAdopt)
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
            subscribeTo(backend);
        }
    }

    /** Subscribes to a backend's events once (a template's first instance on a backend calls it too). */
    private synchronized void subscribeTo(Backend backend) {
        if (subscribed.add(backend)) {
            // dispatches through the current snapshot, so that reloaded services get their events
            running.add(backend.events()
                    .subscribe(event -> dispatch(backend, event),
                            e -> log.warn("backend {}: event stream failed: {}", backend.name(), e.toString())));
        }
    }

    private void dispatch(Backend backend, VmEvent event) {
        Snapshot now = current;
        Map<String, List<ServiceRuntime>> byVm = now.byBackend.getOrDefault(backend, Map.of());
        for (ServiceRuntime s : byVm.getOrDefault(event.vmId(), List.of())) {
            s.onEvent(event);
        }
        for (TemplateRuntime t : now.templates.values()) {
            t.byVm(backend, event.vmId()).ifPresent(s -> s.onEvent(event));
        }
    }

    private void startIdleChecks() {
        running.add(Flux.interval(idleCheckInterval, idleCheckInterval, timer)
                .onBackpressureDrop()
                .subscribe(tick -> {
                    Snapshot now = current;
                    for (ServiceRuntime s : now.services.values()) {
                        try {
                            s.idleCheck();
                        } catch (RuntimeException e) {
                            log.error("service {}: idle check failed", s.id(), e);
                        }
                    }
                    for (TemplateRuntime t : now.templates.values()) {
                        t.tick();
                    }
                }));
    }

    @Override
    public synchronized Reload prepare(List<ServiceDefinition> services, List<ServiceTemplate> templates) {
        Snapshot old = current;
        Snapshot next = snapshot(services, templates, old.services, old.templates); // throws before anything changes
        return new PreparedReload(old, next);
    }

    /** A reload built on the snapshot current when it was prepared. */
    private final class PreparedReload implements Reload {
        private final Snapshot old;
        private final Snapshot next;
        private final AtomicBoolean committed = new AtomicBoolean();

        PreparedReload(Snapshot old, Snapshot next) {
            this.old = old;
            this.next = next;
        }

        @Override
        public Optional<ManagedService> service(String id) {
            return Optional.ofNullable(next.services.get(id));
        }

        @Override
        public Optional<TemplateInstances> template(String id) {
            return Optional.ofNullable(next.templates.get(id));
        }

        @Override
        public ReloadResult commit(Runnable publish) {
            if (!committed.compareAndSet(false, true)) {
                throw new IllegalStateException("this reload was committed already");
            }
            return DefaultOnDemandCore.this.commit(old, next, publish);
        }
    }

    private synchronized ReloadResult commit(Snapshot old, Snapshot next, Runnable publish) {
        if (current != old) {
            throw new IllegalStateException("another reload was committed since this one was prepared");
        }
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
        for (TemplateRuntime t : old.templates.values()) {
            if (next.templates.get(t.id()) != t) {
                retired.addAll(t.runtimes()); // their instances stop; nothing refers to the old template after
                (next.templates.containsKey(t.id()) ? changed : removed).add(t.id());
            }
        }
        for (TemplateRuntime t : next.templates.values()) {
            TemplateRuntime before = old.templates.get(t.id());
            if (before == t) {
                kept.add(t.id());
            } else if (before == null) {
                added.add(t.id());
            }
        }
        current = next;
        publish.run();
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
    public Optional<ManagedService> service(String id) {
        Snapshot now = current;
        ServiceRuntime s = now.services.get(id);
        if (s != null) {
            return Optional.of(s);
        }
        int dot = id.indexOf('.');
        TemplateRuntime t = dot < 0 ? null : now.templates.get(id.substring(0, dot));
        return t == null ? Optional.empty() : t.instance(id).map(ManagedService.class::cast);
    }

    @Override
    public List<ManagedService> services() {
        return List.copyOf(current.services.values());
    }

    @Override
    public Optional<TemplateInstances> template(String id) {
        return Optional.ofNullable(current.templates.get(id));
    }

    @Override
    public List<TemplateInstances> templates() {
        return List.copyOf(current.templates.values());
    }

    @Override
    public List<ServiceStatus> statuses() {
        Snapshot now = current;
        List<ServiceStatus> out = new ArrayList<>(now.services.size());
        for (ServiceRuntime s : now.services.values()) {
            out.add(s.status());
        }
        for (TemplateRuntime t : now.templates.values()) {
            for (ServiceRuntime s : t.runtimes()) {
                out.add(s.status());
            }
        }
        return List.copyOf(out);
    }

    /** Every runtime now: the services', then the templates' instances. */
    private static List<ServiceRuntime> allRuntimes(Snapshot snapshot) {
        List<ServiceRuntime> all = new ArrayList<>(snapshot.services.values());
        for (TemplateRuntime t : snapshot.templates.values()) {
            all.addAll(t.runtimes());
        }
        return all;
    }

    @Override
    public Mono<Void> stopAll(String reason) {
        return Flux.defer(() -> Flux.fromIterable(allRuntimes(current)))
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
        for (ServiceRuntime s : allRuntimes(current)) {
            if (!s.idle()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        running.dispose();
    }

    /** One configuration: the runtimes by id, and by backend and VM for event dispatch; the templates by id. */
    private record Snapshot(Map<String, ServiceRuntime> services,
                            Map<Backend, Map<String, List<ServiceRuntime>>> byBackend,
                            Map<String, TemplateRuntime> templates) {
    }
}
