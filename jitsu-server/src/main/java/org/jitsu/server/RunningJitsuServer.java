package org.jitsu.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.admin.AdminOperations.ActionResult;
import org.jitsu.server.admin.AdminOperations.ReloadOutcome;
import org.jitsu.server.admin.AdminServer;
import org.jitsu.server.admin.ServiceView;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.ManagedService;
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
    private final ConfigReloader reloader;
    private final Registrations registrations;
    private final ShutdownSequence shutdown;

    /** What the builder assembled before the listeners were bound. */
    record Parts(JitsuConfig config, OnDemandPipeline pipeline, BackendSet backends, JitsuMetrics metrics,
                 ReadinessParser readiness, Scheduler timer, Scheduler worker, StateStore store,
                 Map<String, String> registered) {
    }

    RunningJitsuServer(Parts parts, DnsServer dns, Optional<AdminServer> admin) {
        this.parts = parts;
        this.dns = dns;
        this.admin = admin;
        this.reloader = new ConfigReloader(parts);
        this.registrations = new Registrations(reloader, parts.store(), parts.worker());
        this.shutdown = new ShutdownSequence(dns, parts, admin, registrations::stopFollowing);
    }

    @Override
    public JitsuConfig config() {
        return reloader.config();
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
        Map<String, ServiceConfig> byId = reloader.config().servicesById();
        List<ServiceView> out = new ArrayList<>();
        for (ServiceStatus s : parts.pipeline().core().statuses()) {
            out.add(view(Optional.ofNullable(byId.get(s.id())), s));
        }
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
        JitsuConfig c = reloader.config();
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

    // ---- reload and run-time services

    @Override
    public Mono<ReloadOutcome> reload() {
        return Mono.fromCallable(reloader::reload).subscribeOn(parts.worker());
    }

    Registrations registrations() {
        return registrations;
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
