package org.jitsu.server;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.admin.AdminServer;
import org.jitsu.server.dns.DnsServer;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The shutdown of a started server, in order, each step bounded: the DNS front end stops accepting and
 * answers the queries in flight; boots in flight are waited for; every service is stopped when asked
 * ({@code --stop-services-on-exit}); then the store watch, the pipeline, the backends and the store are
 * closed, then the admin endpoint, and last the admin worker is released and the metrics are closed.
 * A step that fails or times out is logged and the next one runs. The first call decides; later calls
 * get the same completion.
 */
final class ShutdownSequence {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSequence.class);
    /** Bound on the DNS front end's shutdown (it drains queries in flight). */
    static final Duration DNS_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** Bound on waiting for boots in flight at shutdown. */
    static final Duration BOOT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Bound on stopping every service at shutdown ({@code --stop-services-on-exit}). */
    static final Duration STOP_ALL_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on {@link #close(boolean)}: the steps above plus closing. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration BOOT_POLL = Duration.ofMillis(50);

    private final DnsServer dns;
    private final RunningJitsuServer.Parts parts;
    private final Optional<AdminServer> admin;
    private final Runnable stopFollowing;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Sinks.Empty<Void> closed = Sinks.empty();

    /**
     * @param stopFollowing ends the watch of the store's registrations, before the store is closed
     */
    ShutdownSequence(DnsServer dns, RunningJitsuServer.Parts parts, Optional<AdminServer> admin,
                     Runnable stopFollowing) {
        this.dns = dns;
        this.parts = parts;
        this.admin = admin;
        this.stopFollowing = stopFollowing;
    }

    /** True once the shutdown began (the server then reports not ready). */
    boolean started() {
        return started.get();
    }

    /** Runs the sequence once; completes when it is done. Never errors. */
    Mono<Void> run(boolean stopServices) {
        if (started.compareAndSet(false, true)) {
            OnDemandPipeline pipeline = parts.pipeline();
            Mono.defer(dns::shutdown)
                    .timeout(DNS_SHUTDOWN_TIMEOUT)
                    .onErrorResume(e -> warn("DNS server shutdown", e))
                    .then(Mono.defer(() -> pipeline.core().bootsDone(BOOT_POLL))
                            .timeout(BOOT_DRAIN_TIMEOUT, Schedulers.parallel())
                            .onErrorResume(e -> warn("waiting for boots in flight", e)))
                    .then(stopServices
                            ? Mono.defer(() -> {
                                log.info("stopping every service (--stop-services-on-exit)");
                                return pipeline.core().stopAll("shutdown");
                            }).timeout(STOP_ALL_TIMEOUT, Schedulers.parallel())
                            .onErrorResume(e -> warn("stopping the services", e))
                            : Mono.empty())
                    .then(Mono.fromRunnable(this::closePipelineAndBackends).subscribeOn(Schedulers.boundedElastic()))
                    .then(admin.map(AdminServer::shutdown).orElse(Mono.empty()))
                    .doFinally(signal -> {
                        parts.worker().dispose();
                        parts.metrics().close(); // after the admin endpoint's last scrape
                    })
                    .subscribe(null, e -> closed.tryEmitEmpty(), closed::tryEmitEmpty);
        }
        return closed.asMono();
    }

    /** Blocking {@link #run(boolean)}, bounded by {@link #CLOSE_TIMEOUT}. */
    void close(boolean stopServices) {
        try {
            run(stopServices).block(CLOSE_TIMEOUT);
        } catch (IllegalStateException e) {
            log.warn("shutdown did not finish within {} s", CLOSE_TIMEOUT.toSeconds());
        }
    }

    private static Mono<Void> warn(String what, Throwable e) {
        log.warn("{}: {}", what, e.toString());
        return Mono.empty();
    }

    private void closePipelineAndBackends() {
        stopFollowing.run();
        try {
            parts.front().close(); // after the stops: their drains are over, what is still open is reset
        } catch (RuntimeException e) {
            log.warn("front close: {}", e.toString());
        }
        try {
            parts.pipeline().close();
        } catch (RuntimeException e) {
            log.warn("pipeline close: {}", e.toString());
        }
        parts.backends().close();
        parts.store().close();
    }
}
