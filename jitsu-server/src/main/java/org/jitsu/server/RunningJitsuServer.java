package org.jitsu.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.admin.AdminOperations.ActionResult;
import org.jitsu.server.admin.AdminOperations.Registration;
import org.jitsu.server.admin.AdminOperations.ReloadOutcome;
import org.jitsu.server.admin.AdminServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.dns.DnsServer;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.metrics.JitsuMetrics;
import org.jitsu.server.proxy.FrontProxy;
import org.jitsu.server.store.StateStore;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A started server: the parts the builder assembled, wired to the four things a running server does,
 * each in its own class: {@link ConfigReloader} (what is served, and reloads), {@link Registrations}
 * (services registered at run time, kept in the state store), {@link ServiceViews} (the admin API's
 * service table and operator actions) and {@link ShutdownSequence} (the ordered, bounded shutdown).
 */
final class RunningJitsuServer implements JitsuServer {
    private final Parts parts;
    private final DnsServer dns;
    private final Optional<AdminServer> admin;
    private final ConfigReloader reloader;
    private final Registrations registrations;
    private final ServiceViews views;
    private final ShutdownSequence shutdown;

    /** What the builder assembled before the listeners were bound. */
    record Parts(JitsuConfig config, OnDemandPipeline pipeline, BackendSet backends, JitsuMetrics metrics,
                 ReadinessParser readiness, Scheduler timer, Scheduler worker, StateStore store,
                 Map<String, String> registered, FrontProxy front) {
    }

    RunningJitsuServer(Parts parts, DnsServer dns, Optional<AdminServer> admin) {
        this.parts = parts;
        this.dns = dns;
        this.admin = admin;
        this.reloader = new ConfigReloader(parts);
        this.registrations = new Registrations(reloader, parts.store(), parts.worker());
        this.views = new ServiceViews(parts.pipeline().core(), reloader::config,
                ServiceViews.instanceNames(parts.pipeline()));
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

    /** The service table and the operator's start and stop, for the admin API. */
    ServiceViews views() {
        return views;
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
