package org.jitsu.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.dns.DnsServer;
import org.jitsu.server.pipeline.OnDemandPipeline;
import org.jitsu.server.pipeline.ServiceDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/** A started server; shuts down the DNS front end, then the pipeline, then the backends. */
final class RunningJitsuServer implements JitsuServer {
    private static final Logger log = LoggerFactory.getLogger(RunningJitsuServer.class);
    /** Bound on the DNS front end's shutdown (it drains queries in flight). */
    static final Duration DNS_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** Bound on {@link #close()}. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final JitsuConfig config;
    private final DnsServer dns;
    private final OnDemandPipeline pipeline;
    private final BackendSet backends;
    private final List<ServiceDefinition> services;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Sinks.Empty<Void> closed = Sinks.empty();

    RunningJitsuServer(JitsuConfig config, DnsServer dns, OnDemandPipeline pipeline, BackendSet backends,
                       List<ServiceDefinition> services) {
        this.config = config;
        this.dns = dns;
        this.pipeline = pipeline;
        this.backends = backends;
        this.services = List.copyOf(services);
    }

    @Override
    public JitsuConfig config() {
        return config;
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
        return pipeline;
    }

    @Override
    public List<ServiceDefinition> services() {
        return services;
    }

    @Override
    public Mono<Void> shutdown() {
        if (closing.compareAndSet(false, true)) {
            Mono.defer(dns::shutdown)
                    .timeout(DNS_SHUTDOWN_TIMEOUT)
                    .onErrorResume(e -> {
                        log.warn("DNS server shutdown: {}", e.toString());
                        return Mono.empty();
                    })
                    .then(Mono.fromRunnable(this::closePipelineAndBackends).subscribeOn(Schedulers.boundedElastic()))
                    .subscribe(null, e -> closed.tryEmitEmpty(), closed::tryEmitEmpty);
        }
        return closed.asMono();
    }

    private void closePipelineAndBackends() {
        try {
            pipeline.close();
        } catch (RuntimeException e) {
            log.warn("pipeline close: {}", e.toString());
        }
        backends.close();
    }

    @Override
    public void close() {
        try {
            shutdown().block(CLOSE_TIMEOUT);
        } catch (IllegalStateException e) {
            log.warn("shutdown did not finish within {} s", CLOSE_TIMEOUT.toSeconds());
        }
    }
}
