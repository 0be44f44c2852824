package org.jitsu.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.server.admin.AdminOperations;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A running Jitsu: the backends, the on-demand pipeline and the DNS front end, assembled from a
 * {@link JitsuConfig}. Backends are found through {@link java.util.ServiceLoader} by their {@code type}.
 *
 * <pre>{@code
 * try (JitsuServer server = JitsuServer.start(JitsuConfig.load(Path.of("config/jitsu.yml")))) {
 *     System.out.println(server.udpAddresses());
 * }
 * }</pre>
 *
 * <p>Closing stops the DNS server first, then the pipeline, then the backends. VMs are left as they
 * are (a restarted server adopts the ones still running).
 */
public interface JitsuServer extends AutoCloseable {

    /**
     * Creates the backends, defines every service's VM, starts the pipeline and binds the DNS
     * listeners. Blocks until all of that is done (bounded).
     *
     * @throws org.jitsu.settings.ConfigException when a backend or service section is invalid
     * @throws JitsuStartException when a backend is not ready or a listener cannot be bound
     */
    static JitsuServer start(JitsuConfig config) {
        return builder(config).start();
    }

    /**
     * Checks what only live backends can check: creates the backends and defines every VM and
     * readiness check, starting nothing, then closes the backends again. Used by {@code jitsu check}.
     *
     * @throws org.jitsu.settings.ConfigException naming the key of the first problem
     */
    static void validate(JitsuConfig config) {
        builder(config).validate();
    }

    /** A builder for tests and embedders that need another timer or other backend factories. */
    static Builder builder(JitsuConfig config) {
        return new JitsuServerBuilder(config);
    }

    /** The config it runs (the last one applied by a reload). */
    JitsuConfig config();

    /** The bound admin HTTP address; empty when {@code admin.enabled} is false. */
    Optional<InetSocketAddress> adminAddress();

    /**
     * Reads the config file again ({@link JitsuConfig#source()}), validates it and applies it without
     * dropping a query (see {@link OnDemandPipeline#reload}); a file that is invalid, or that changes what
     * needs a restart ({@code listen.*}, {@code backends.*}, ...), is rejected with the reason and the
     * running config stays. Never errors. Blocking work runs on the server's admin worker.
     */
    Mono<AdminOperations.ReloadOutcome> reload();

    /** The bound UDP addresses, with the real port when the config asked for port 0. */
    List<InetSocketAddress> udpAddresses();

    /** The bound TCP addresses. */
    List<InetSocketAddress> tcpAddresses();

    /** The pipeline, and through it the core's service states ({@link OnDemandPipeline#core()}). */
    OnDemandPipeline pipeline();

    /** The services now configured (after reloads), with their VM handles. */
    List<NamedService> services();

    /**
     * Graceful shutdown, leaving services running (adopted on the next start): see
     * {@link #shutdown(boolean)}.
     */
    default Mono<Void> shutdown() {
        return shutdown(false);
    }

    /**
     * Graceful shutdown: reports not ready, stops accepting DNS queries and lets those in flight finish
     * (bounded), waits for boots in flight (bounded), stops every service when {@code stopServices}, then
     * closes the pipeline, the backends and the admin endpoint. Idempotent (the first call decides);
     * never errors.
     */
    Mono<Void> shutdown(boolean stopServices);

    /** Blocking {@link #shutdown()}, bounded; never call it on an event loop. */
    @Override
    void close();

    /** Blocking {@link #shutdown(boolean)}, bounded; never call it on an event loop. */
    void close(boolean stopServices);

    /** Configures the assembly of a {@link JitsuServer}. */
    interface Builder {
        /** The scheduler for all time: boot and idle timers, readiness retries (default {@code Schedulers.parallel()}). */
        Builder timer(Scheduler timer);

        /** The backend factories to choose from by type (default: those found by {@code ServiceLoader}). */
        Builder backendFactories(Collection<? extends BackendFactory> factories);

        /** Turns readiness items into checks (default {@code ReadinessChecks.standard()::parse}, by ServiceLoader). */
        Builder readinessParser(ReadinessParser parser);

        /** Bound on each start step: backends ready, pipeline started, listeners bound (default 30 s). */
        Builder startTimeout(Duration timeout);

        /** See {@link JitsuServer#start(JitsuConfig)}. */
        JitsuServer start();

        /** See {@link JitsuServer#validate(JitsuConfig)}. */
        void validate();
    }
}
