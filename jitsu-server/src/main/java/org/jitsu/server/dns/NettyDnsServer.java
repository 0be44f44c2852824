package org.jitsu.server.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.server.net.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The Netty implementation of {@link DnsServer}: owns its event loops, UDP sockets (with epoll, one
 * SO_REUSEPORT socket per event loop and address), TCP listeners and the forwarder's sockets.
 */
final class NettyDnsServer implements DnsServer {
    private static final Logger log = LoggerFactory.getLogger(NettyDnsServer.class);
    /** Largest TCP query accepted; a query has one question and maybe an OPT, far below this. */
    static final int MAX_TCP_QUERY = 4096;
    /** Queries waiting for their reply on one TCP connection before it stops reading. */
    static final int MAX_WAITING_PER_CONNECTION = 64;
    private static final int BIND_ATTEMPTS = 5;
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final EventLoopGroup group;
    private final List<Channel> udp;
    private final List<Channel> tcp;
    private final ChannelGroup connections;
    private final Optional<Forwarder> forwarder;
    private final InFlight inFlight;
    private final Scheduler clock;
    private final Mono<Void> shutdown;

    private NettyDnsServer(EventLoopGroup group, List<Channel> udp, List<Channel> tcp, ChannelGroup connections,
                           Optional<Forwarder> forwarder, InFlight inFlight, Scheduler clock) {
        this.group = group;
        this.udp = List.copyOf(udp);
        this.tcp = List.copyOf(tcp);
        this.connections = connections;
        this.forwarder = forwarder;
        this.inFlight = inFlight;
        this.clock = clock;
        this.shutdown = Mono.defer(this::doShutdown).cache();
    }

    /** Validates the settings, starts the event loops and binds everything. */
    static Mono<DnsServer> bind(ListenSettings listen, Optional<ForwardSettings> forward, QueryPipeline pipeline,
                                FrontEndMetrics metrics, Scheduler clock) {
        return bind(listen, forward, RateLimitSettings.OFF, Optional.empty(), pipeline, metrics, clock,
                Transports.detect());
    }

    /** As above, with response-rate limiting and DNS cookies ({@code cookieSecret} empty: no cookies). */
    static Mono<DnsServer> bind(ListenSettings listen, Optional<ForwardSettings> forward, RateLimitSettings rateLimit,
                                Optional<byte[]> cookieSecret, QueryPipeline pipeline, FrontEndMetrics metrics,
                                Scheduler clock) {
        return bind(listen, forward, rateLimit, cookieSecret, pipeline, metrics, clock, Transports.detect());
    }

    /** As {@link #bind(ListenSettings, Optional, QueryPipeline, FrontEndMetrics, Scheduler)} on a given transport. */
    static Mono<DnsServer> bind(ListenSettings listen, Optional<ForwardSettings> forward, QueryPipeline pipeline,
                                FrontEndMetrics metrics, Scheduler clock, Transports transports) {
        return bind(listen, forward, RateLimitSettings.OFF, Optional.empty(), pipeline, metrics, clock, transports);
    }

    static Mono<DnsServer> bind(ListenSettings listen, Optional<ForwardSettings> forward, RateLimitSettings rateLimit,
                                Optional<byte[]> cookieSecret, QueryPipeline pipeline, FrontEndMetrics metrics,
                                Scheduler clock, Transports transports) {
        return Mono.defer(() -> {
            validate(listen);
            int threads = listen.eventLoops() == 0 ? Runtime.getRuntime().availableProcessors() : listen.eventLoops();
            EventLoopGroup group = transports.newGroup(threads, "jitsu-dns");
            InFlight inFlight = new InFlight();
            ChannelGroup connections = new DefaultChannelGroup("jitsu-dns-tcp", GlobalEventExecutor.INSTANCE);
            Mono<Optional<Forwarder>> fwd = forward.isPresent()
                    ? Forwarder.start(forward.get(), group, transports, metrics, clock).map(Optional::of)
                    : Mono.just(Optional.empty());
            return fwd.flatMap(f -> {
                ResponseRateLimiter limiter = rateLimit.enabled()
                        ? new ResponseRateLimiter(rateLimit, () -> clock.now(TimeUnit.MILLISECONDS), metrics) : null;
                ServerCookies cookies = cookieSecret.map(secret -> new ServerCookies(secret,
                        () -> clock.now(TimeUnit.SECONDS))).orElse(null);
                QueryResponder responder = new QueryResponder(pipeline, f, metrics, listen.maxUdpPayload(), limiter,
                        cookies);
                Binder binder = new Binder(listen, transports, group, responder, inFlight, connections,
                        transports.epoll() ? threads : 1);
                Mono<Bound> bound = listen.port() == 0
                        ? binder.bindAll(0).retry(BIND_ATTEMPTS - 1)
                        : binder.bindAll(listen.port());
                return bound
                        .map(b -> (DnsServer) new NettyDnsServer(group, b.udp(), b.tcp(), connections, f, inFlight,
                                clock))
                        .onErrorResume(e -> f.map(Forwarder::close).orElse(Mono.empty()).then(Mono.error(e)));
            }).onErrorResume(e -> NettyFutures.done(group.shutdownGracefully(0, 1, TimeUnit.SECONDS))
                    .then(Mono.error(e)));
        });
    }

    private static void validate(ListenSettings s) {
        check(s.port() >= 0 && s.port() <= 65535, "port: " + s.port() + " (expected: 0 to 65535)");
        check(s.eventLoops() >= 0, "event-loops: " + s.eventLoops() + " (expected: >= 0)");
        check(s.udpReceiveBuffer() >= 0, "udp-receive-buffer: " + s.udpReceiveBuffer() + " (expected: >= 0)");
        check(s.udpReceiveBatch() >= 1 && s.udpReceiveBatch() <= ListenSettings.MAX_UDP_RECEIVE_BATCH,
                "udp-receive-batch: " + s.udpReceiveBatch() + " (expected: 1 to " + ListenSettings.MAX_UDP_RECEIVE_BATCH
                        + ")");
        check(s.maxUdpPayload() >= 512 && s.maxUdpPayload() <= 65535,
                "max-udp-payload: " + s.maxUdpPayload() + " (expected: 512 to 65535)");
        check(s.tcpIdleTimeout() != null && !s.tcpIdleTimeout().isNegative() && !s.tcpIdleTimeout().isZero(),
                "tcp-idle-timeout: " + s.tcpIdleTimeout() + " (expected: > 0)");
        check(s.tcpMaxConnections() >= 1, "tcp-max-connections: " + s.tcpMaxConnections() + " (expected: >= 1)");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The channels of one successful bind. */
    private record Bound(List<Channel> udp, List<Channel> tcp) {
    }

    /** Binds all listeners on one port; on any failure closes what it bound and errors. */
    private record Binder(ListenSettings listen, Transports transports, EventLoopGroup group,
                          QueryResponder responder, InFlight inFlight, ChannelGroup connections,
                          int socketsPerAddress) {

        Mono<Bound> bindAll(int port) {
            return Mono.defer(() -> {
                List<Channel> udp = new CopyOnWriteArrayList<>();
                List<Channel> tcp = new CopyOnWriteArrayList<>();
                List<InetAddress> addresses = listen.addresses();
                return udp(addresses.get(0), port)
                        .doOnNext(udp::add)
                        .flatMap(first -> {
                            int real = ((InetSocketAddress) first.localAddress()).getPort();
                            List<Mono<Channel>> rest = new ArrayList<>();
                            for (int i = 0; i < addresses.size(); i++) {
                                for (int j = i == 0 ? 1 : 0; j < socketsPerAddress; j++) {
                                    rest.add(udp(addresses.get(i), real).doOnNext(udp::add));
                                }
                            }
                            for (InetAddress a : addresses) {
                                rest.add(tcp(a, real).doOnNext(tcp::add));
                            }
                            return Flux.concat(rest).then();
                        })
                        .then(Mono.fromSupplier(() -> new Bound(udp, tcp)))
                        .onErrorResume(e -> {
                            List<Channel> all = new ArrayList<>(udp);
                            all.addAll(tcp);
                            log.debug("bind on port {} failed: {}", port, e.toString());
                            return Flux.fromIterable(all).concatMap(c -> NettyFutures.done(c.close()))
                                    .then(Mono.error(e));
                        });
            });
        }

        private Mono<Channel> udp(InetAddress address, int port) {
            Bootstrap b = new Bootstrap().group(group)
                    .channelFactory(transports.datagram(address))
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(new UdpQueryHandler(responder, inFlight));
                        }
                    });
            if (listen.udpReceiveBuffer() > 0) {
                b.option(ChannelOption.SO_RCVBUF, listen.udpReceiveBuffer());
            }
            if (transports.epoll()) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
                UdpBatchReceive.configure(b, listen.udpReceiveBatch(),
                        listen.udpReceiveBatch() * UdpBatchReceive.BATCHES_PER_READ);
            }
            return NettyFutures.channel(b.bind(new InetSocketAddress(address, port)));
        }

        private Mono<Channel> tcp(InetAddress address, int port) {
            AtomicInteger open = new AtomicInteger();
            FrontEndMetrics metrics = responder.metrics();
            long idle = listen.tcpIdleTimeout().toNanos();
            ServerBootstrap b = new ServerBootstrap().group(group)
                    .channelFactory(transports.server())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            ch.pipeline().addLast(
                                    new TcpConnectionLimiter(open, listen.tcpMaxConnections(), metrics),
                                    new IdleStateHandler(idle, 0, 0, TimeUnit.NANOSECONDS),
                                    new TcpFrameDecoder(MAX_TCP_QUERY,
                                            () -> metrics.dropped(Transport.TCP, "bad tcp frame")),
                                    new TcpQueryHandler(responder, inFlight, MAX_WAITING_PER_CONNECTION));
                        }
                    });
            return NettyFutures.channel(b.bind(new InetSocketAddress(address, port)));
        }
    }

    @Override
    public List<InetSocketAddress> udpAddresses() {
        return addresses(udp);
    }

    @Override
    public List<InetSocketAddress> tcpAddresses() {
        return addresses(tcp);
    }

    private static List<InetSocketAddress> addresses(List<Channel> channels) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Channel c : channels) {
            InetSocketAddress a = (InetSocketAddress) c.localAddress();
            if (a != null && !out.contains(a)) {
                out.add(a);
            }
        }
        return List.copyOf(out);
    }

    /** UDP sockets bound (several per address with epoll and SO_REUSEPORT); for tests and logs. */
    int udpSocketCount() {
        return udp.size();
    }

    @Override
    public Mono<Void> shutdown() {
        return shutdown;
    }

    private Mono<Void> doShutdown() {
        for (Channel c : udp) {
            c.config().setAutoRead(false);
        }
        // Each step deferred: nothing may start before the previous step completed.
        return closeAll(tcp)
                .then(Mono.defer(() -> inFlight.drain(DRAIN, clock)))
                .then(Mono.defer(() -> closeAll(udp)))
                .then(Mono.defer(() -> NettyFutures.done(connections.close())))
                .then(Mono.defer(() -> forwarder.map(Forwarder::close).orElse(Mono.empty())))
                .then(Mono.defer(() -> NettyFutures.done(group.shutdownGracefully(10, 2000, TimeUnit.MILLISECONDS))));
    }

    private static Mono<Void> closeAll(List<Channel> channels) {
        return Flux.fromIterable(channels).concatMap(c -> NettyFutures.done(c.close())).then();
    }
}
