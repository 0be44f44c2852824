package org.jitsu.server.dns;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.authority.QueryPipeline;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The DNS front end: UDP and TCP listeners on Netty event loops that decode queries, hand them to a
 * {@link QueryPipeline} and encode its answers. The only part of Jitsu that touches DNS bytes.
 *
 * <pre>{@code
 * DnsServer server = DnsServer.builder()
 *         .listen(listenSettings)
 *         .forward(Optional.empty())
 *         .pipeline(pipeline)
 *         .bind()
 *         .block();
 * }</pre>
 */
public interface DnsServer extends AutoCloseable {

    static Builder builder() {
        return new DnsServerBuilder();
    }

    /** The bound UDP addresses (with the real port when the settings asked for port 0). */
    List<InetSocketAddress> udpAddresses();

    /** The bound TCP addresses. */
    List<InetSocketAddress> tcpAddresses();

    /**
     * Stops accepting new queries, lets queries in flight finish (up to a short bound) and releases
     * the event loops. Completes when all is closed.
     */
    Mono<Void> shutdown();

    /** Blocking {@link #shutdown()}; never call on an event loop. */
    @Override
    default void close() {
        shutdown().block();
    }

    /** Configures and binds a {@link DnsServer}. */
    interface Builder {
        Builder listen(ListenSettings settings);

        Builder forward(Optional<ForwardSettings> settings);

        /** Response-rate limiting of UDP answers (default off). */
        Builder rateLimit(RateLimitSettings settings);

        /**
         * DNS cookies (RFC 7873, RFC 9018 server cookies) with this 16-byte secret; empty (the default):
         * the COOKIE option is ignored.
         */
        Builder cookies(Optional<byte[]> secret);

        Builder pipeline(QueryPipeline pipeline);

        Builder metrics(FrontEndMetrics metrics);

        /**
         * The clock for forwarding timeouts and the shutdown grace period; defaults to
         * {@code Schedulers.parallel()}. Tests pass a virtual-time scheduler.
         */
        Builder clock(Scheduler clock);

        /** Binds every listener; errors if any address cannot be bound (nothing stays bound then). */
        Mono<DnsServer> bind();
    }
}
