package org.jitsu.server.dns;

import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.dns.authority.QueryPipeline;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Collects the settings of a {@link DnsServer}. */
final class DnsServerBuilder implements DnsServer.Builder {
    private ListenSettings listen;
    private Optional<ForwardSettings> forward = Optional.empty();
    private RateLimitSettings rateLimit = RateLimitSettings.OFF;
    private Optional<byte[]> cookieSecret = Optional.empty();
    private QueryPipeline pipeline;
    private FrontEndMetrics metrics = FrontEndMetrics.NOOP;
    private Scheduler clock = Schedulers.parallel();

    @Override
    public DnsServer.Builder listen(ListenSettings settings) {
        this.listen = Objects.requireNonNull(settings, "settings");
        return this;
    }

    @Override
    public DnsServer.Builder forward(Optional<ForwardSettings> settings) {
        this.forward = Objects.requireNonNull(settings, "settings");
        return this;
    }

    @Override
    public DnsServer.Builder rateLimit(RateLimitSettings settings) {
        this.rateLimit = Objects.requireNonNull(settings, "settings");
        return this;
    }

    @Override
    public DnsServer.Builder cookies(Optional<byte[]> secret) {
        this.cookieSecret = Objects.requireNonNull(secret, "secret").map(byte[]::clone);
        return this;
    }

    @Override
    public DnsServer.Builder pipeline(QueryPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        return this;
    }

    @Override
    public DnsServer.Builder metrics(FrontEndMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return this;
    }

    @Override
    public DnsServer.Builder clock(Scheduler clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    @Override
    public Mono<DnsServer> bind() {
        Objects.requireNonNull(listen, "listen settings not set");
        Objects.requireNonNull(pipeline, "pipeline not set");
        return NettyDnsServer.bind(listen, forward, rateLimit, cookieSecret, pipeline, metrics, clock);
    }
}
