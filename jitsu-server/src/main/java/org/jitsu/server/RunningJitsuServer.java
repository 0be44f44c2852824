package org.jitsu.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.backend.spi.ConfigException;
import org.jitsu.server.admin.AdminOperations.ActionResult;
import org.jitsu.server.admin.AdminOperations.Registration;
import org.jitsu.server.admin.AdminOperations.ReloadOutcome;
import org.jitsu.server.admin.AdminServer;
import org.jitsu.server.admin.ServiceView;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.core.ServiceUnavailableException;
import org.jitsu.server.dns.DnsServer;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.metrics.JitsuMetrics;
import org.jitsu.server.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A started server. Reloads swap the pipeline's zones and services; shutdown stops the DNS front end
 * (draining queries in flight), waits for boots in flight, optionally stops the services, then closes
 * the pipeline, the backends and the admin endpoint, each step bounded.
 */
final class RunningJitsuServer implements JitsuServer {
    private static final Logger log = LoggerFactory.getLogger(RunningJitsuServer.class);

    private final Parts parts;
    private final DnsServer dns;
    private final Optional<AdminServer> admin;
    private final ShutdownSequence shutdown;
    private volatile JitsuConfig config;

    /** What the builder assembled before the listeners were bound. */
    record Parts(JitsuConfig config, OnDemandPipeline pipeline, BackendSet backends, JitsuMetrics metrics,
                 ReadinessParser readiness, Scheduler timer, Scheduler worker, StateStore store,
                 Map<String, String> registered) {
    }

    /** Bound on one store write made for an operator. */
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);

    /** Services registered at run time, by id (guarded by this). */
    private final Map<String, String> registered;

    RunningJitsuServer(Parts parts, DnsServer dns, Optional<AdminServer> admin) {
        this.parts = parts;
        this.config = parts.config();
        this.dns = dns;
        this.admin = admin;
        this.registered = new LinkedHashMap<>(parts.registered());
        this.shutdown = new ShutdownSequence(dns, parts, admin, () -> storeChanges.dispose());
    }

    @Override
    public JitsuConfig config() {
        return config;
    }

    @Override
    public Optional<InetSocketAddress> adminAddress() {
        return admin.map(AdminServer::address);
    }

    @Override
    public List<InetSocketAddress> udpAddresses() {
        return dns.udpAddresses();
    }

    @Override
    public List<InetSocketAddress> tcpAddresses() {
        return dns.tcpAddresses();
    }

    @Override
    public OnDemandPipeline pipeline() {
        return parts.pipeline();
    }

    @Override
    public List<NamedService> services() {
        return parts.pipeline().definitions();
    }

    /** Bound on the backends' readiness check of {@code /health/ready}. */
    static final Duration READY_CHECK_TIMEOUT = Duration.ofSeconds(2);

    /** Listeners bound, not shutting down, and every backend answers its readiness check in time. */
    Mono<Boolean> readyCheck() {
        if (shutdown.started()) {
            return Mono.just(false);
        }
        return parts.backends().ready()
                .timeout(READY_CHECK_TIMEOUT, Schedulers.parallel())
                .thenReturn(true)
                .onErrorReturn(false);
    }

    // ---- admin API

    List<ServiceView> views() {
        Map<String, ServiceConfig> byId = byId(config); // one index, not a scan per service
        List<ServiceView> out = new ArrayList<>();
        for (ServiceStatus s : parts.pipeline().core().statuses()) {
            out.add(view(Optional.ofNullable(byId.get(s.id())), s));
        }
        return out;
    }

    /** The services of {@code c} by id. */
    static Map<String, ServiceConfig> byId(JitsuConfig c) {
        Map<String, ServiceConfig> out = new HashMap<>(c.services().size() * 4 / 3 + 1);
        c.services().forEach(s -> out.put(s.id(), s));
        return out;
    }

    private static ServiceView view(JitsuConfig c, ServiceStatus s) {
        return view(c.service(s.id()), s);
    }

    private static ServiceView view(Optional<ServiceConfig> sc, ServiceStatus s) {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        sc.ifPresent(x -> {
            x.names().forEach(n -> names.add(n.text()));
            x.addresses().forEach(a -> addresses.add(Addresses.format(a)));
        });
        return new ServiceView(s.id(), names, addresses, sc.map(ServiceConfig::backend).orElse(""), s.state().name(),
                s.since(), s.lastQuery(), s.boots(), s.failures(), s.lastBootMillis());
    }

    private ServiceView view(String id) {
        JitsuConfig c = config;
        return parts.pipeline().core().service(id).map(s -> view(c, s.status())).orElseThrow();
    }

    Optional<Mono<ActionResult>> startService(String id) {
        return parts.pipeline().core().service(id).map(s -> started(s).map(failure -> {
            failure.ifPresentOrElse(f -> log.warn("service {}: operator start failed: {}", id, f),
                    () -> log.info("service {}: running (operator start)", id));
            return new ActionResult(view(id), failure);
        }));
    }

    Optional<Mono<ActionResult>> stopService(String id) {
        return parts.pipeline().core().service(id).map(s -> s.stop("operator").then(Mono.fromCallable(() -> {
            ServiceView v = view(id);
            boolean stopped = !v.state().equals(ServiceStatus.State.RUNNING.name());
            return new ActionResult(v, stopped ? Optional.empty() : Optional.of("the stop failed; see the log"));
        })));
    }

    /** An operator's start: empty once it runs, else why it does not. */
    private static Mono<Optional<String>> started(ManagedService s) {
        return s.start()
                .then(Mono.just(Optional.<String>empty()))
                .onErrorResume(ServiceUnavailableException.class, e -> Mono.just(Optional.of(e.getMessage())));
    }

    // ---- reload

    @Override
    public Mono<ReloadOutcome> reload() {
        return Mono.fromCallable(this::reloadNow).subscribeOn(parts.worker());
    }

    private synchronized ReloadOutcome reloadNow() {
        return apply(registered);
    }

    /** Loads the file with {@code services} registered, applies it; on success they are the registered ones. */
    private synchronized ReloadOutcome apply(Map<String, String> services) {
        JitsuConfig running = config;
        String file = running.source();
        JitsuConfig next;
        try {
            next = JitsuConfig.load(Path.of(file), List.copyOf(services.values()));
        } catch (ConfigException e) {
            return rejected(file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            return rejected(file + ": no such file");
        } catch (IOException | RuntimeException e) {
            return rejected(file + ": cannot read: " + e);
        }
        Optional<String> restart = ConfigDiff.unreloadable(running, next);
        if (restart.isPresent()) {
            return rejected(file + ": " + restart.get());
        }
        Map<String, NamedService> defined = new HashMap<>();
        parts.pipeline().definitions().forEach(d -> defined.put(d.id(), d));
        List<NamedService> definitions = new ArrayList<>();
        ReloadResult result;
        Map<String, ServiceConfig> runningById = byId(running);
        try {
            for (ServiceConfig s : next.services()) {
                Optional<ServiceConfig> before = Optional.ofNullable(runningById.get(s.id()));
                NamedService old = defined.get(s.id());
                if (before.isPresent() && old != null && ConfigDiff.sameService(before.get(), s)) {
                    definitions.add(old); // unchanged: the runtime (and its state) is kept
                } else {
                    definitions.add(ServiceAssembly.define(s, parts.backends(), parts.readiness(), parts.timer()));
                }
            }
            result = parts.pipeline().reload(next.zones(), definitions);
        } catch (ConfigException e) {
            return rejected(file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return rejected(file + ": " + e.getMessage());
        }
        config = next;
        if (services != registered) {
            registered.clear();
            registered.putAll(services);
        }
        parts.metrics().serviceBackends(ConfigDiff.backends(next));
        parts.metrics().reloaded(true);
        String message = "reloaded " + file + ": " + result;
        log.info(message);
        return new ReloadOutcome(true, message);
    }

    private ReloadOutcome rejected(String reason) {
        parts.metrics().reloaded(false);
        log.warn("reload rejected, the running config stays: {}", reason);
        return new ReloadOutcome(false, reason);
    }

    // ---- run-time services

    Mono<Registration> register(String id, String body) {
        return Mono.fromCallable(() -> registerNow(id, body)).subscribeOn(parts.worker());
    }

    Mono<Registration> unregister(String id) {
        return Mono.fromCallable(() -> unregisterNow(id)).subscribeOn(parts.worker());
    }

    private synchronized Registration registerNow(String id, String body) {
        String spec;
        try {
            spec = JitsuConfig.serviceSpec(id, body);
        } catch (ConfigException e) {
            return new Registration(Registration.Outcome.INVALID, e.getMessage());
        }
        if (config.service(id).isPresent() && !registered.containsKey(id)) {
            return new Registration(Registration.Outcome.CONFLICT, "service " + id
                    + " is defined in the config file " + config.source() + "; change it there");
        }
        Map<String, String> next = new LinkedHashMap<>(registered);
        next.put(id, spec);
        try {
            JitsuConfig.load(Path.of(config.source()), List.copyOf(next.values()));
        } catch (ConfigException e) {
            return new Registration(Registration.Outcome.INVALID, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, config.source() + ": cannot read: " + e);
        }
        try {
            parts.store().putService(id, spec).block(STORE_TIMEOUT);
        } catch (RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, "the store (" + parts.store().describe()
                    + ") could not save service " + id + ": " + rootMessage(e));
        }
        ReloadOutcome outcome = apply(next);
        log.info("service {}: registered at run time ({})", id, outcome.message());
        return new Registration(outcome.applied() ? Registration.Outcome.APPLIED : Registration.Outcome.INVALID,
                outcome.message());
    }

    /**
     * Follows registrations made by other instances sharing the store: each change that differs from
     * what this instance serves is applied like a reload (on the worker).
     */
    void followStore() {
        storeChanges = parts.store().serviceChanges()
                .publishOn(parts.worker())
                .subscribe(change -> followed(change.getKey(), change.getValue()),
                        e -> log.warn("store: the watch of registered services ended: {}", e.toString()));
    }

    private volatile reactor.core.Disposable storeChanges = () -> { };

    private synchronized void followed(String id, Optional<String> spec) {
        if (spec.equals(Optional.ofNullable(registered.get(id)))) {
            return; // ours, or known already
        }
        Map<String, String> next = new LinkedHashMap<>(registered);
        spec.ifPresentOrElse(s -> next.put(id, s), () -> next.remove(id));
        ReloadOutcome outcome = apply(next);
        log.info("service {}: {} by another instance ({})", id, spec.isPresent() ? "registered" : "removed",
                outcome.message());
    }

    private synchronized Registration unregisterNow(String id) {
        if (!registered.containsKey(id)) {
            return config.service(id).isPresent()
                    ? new Registration(Registration.Outcome.CONFLICT, "service " + id
                    + " is defined in the config file " + config.source() + "; remove it there")
                    : new Registration(Registration.Outcome.NOT_FOUND, "no service " + id + " registered at run time");
        }
        try {
            parts.store().removeService(id).block(STORE_TIMEOUT);
        } catch (RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, "the store (" + parts.store().describe()
                    + ") could not remove service " + id + ": " + rootMessage(e));
        }
        Map<String, String> next = new LinkedHashMap<>(registered);
        next.remove(id);
        ReloadOutcome outcome = apply(next);
        log.info("service {}: removed at run time ({})", id, outcome.message());
        return new Registration(outcome.applied() ? Registration.Outcome.APPLIED : Registration.Outcome.INVALID,
                outcome.message());
    }

    private static String rootMessage(Throwable e) {
        return JitsuServerBuilder.rootMessage(reactor.core.Exceptions.unwrap(e));
    }

    // ---- shutdown

    @Override
    public Mono<Void> shutdown(boolean stopServices) {
        return shutdown.run(stopServices);
    }

    @Override
    public void close() {
        close(false);
    }

    @Override
    public void close(boolean stopServices) {
        shutdown.close(stopServices);
    }
}
