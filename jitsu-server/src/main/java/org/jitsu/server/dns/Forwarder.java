package org.jitsu.server.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.server.net.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * Relays queries for names outside our zones to upstream resolvers, tried in order with a timeout per
 * attempt. Upstream queries leave through one shared UDP socket per address family, each with a fresh
 * random id that is mapped back to the client's. A UDP answer with TC for a client that asked over
 * TCP is retried over TCP to the same upstream (one short-lived connection per such query).
 */
final class Forwarder {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    private static final int HEADER = QueryDecoder.HEADER_LENGTH;
    /** Upstream queries in flight at most: ids are 16 bits, keep plenty free for fast random picks. */
    private static final int MAX_PENDING = 32_768;

    private final ForwardSettings settings;
    private final FrontEndMetrics metrics;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final List<Channel> channels;
    private final UpstreamTcpClient tcpClient;
    private final Scheduler clock;

    /** An upstream query waiting for its answer. */
    private record Pending(MonoSink<byte[]> sink, InetSocketAddress upstream, WireRequest.Question question) {
    }

    private Forwarder(ForwardSettings settings, EventLoopGroup group, Transports transports,
                      FrontEndMetrics metrics, Scheduler clock, List<Channel> channels) {
        this.settings = settings;
        this.clock = clock;
        this.random = idRandom();
        this.metrics = metrics;
        this.channels = channels;
        this.tcpClient = new UpstreamTcpClient(group, transports, settings.timeout(), random, clock);
    }

    /**
     * Binds the upstream sockets (one per address family the upstreams use) on wildcard, ephemeral
     * ports. Attempt timeouts run on {@code clock} (virtual time in tests).
     */
    static Mono<Forwarder> start(ForwardSettings settings, EventLoopGroup group, Transports transports,
                                 FrontEndMetrics metrics, Scheduler clock) {
        List<Channel> bound = new CopyOnWriteArrayList<>();
        Forwarder forwarder = new Forwarder(settings, group, transports, metrics, clock, bound);
        boolean v4 = settings.upstreams().stream().anyMatch(u -> u.getAddress() instanceof Inet4Address);
        boolean v6 = settings.upstreams().stream().anyMatch(u -> !(u.getAddress() instanceof Inet4Address));
        List<InetSocketAddress> wildcards = new ArrayList<>();
        if (v4) {
            wildcards.add(new InetSocketAddress(anyLocal(false), 0));
        }
        if (v6) {
            wildcards.add(new InetSocketAddress(anyLocal(true), 0));
        }
        return Flux.fromIterable(wildcards)
                .concatMap(w -> NettyFutures.channel(new Bootstrap().group(group)
                        .channelFactory(transports.datagram(w.getAddress()))
                        .handler(forwarder.new UpstreamHandler())
                        .bind(w)))
                .doOnNext(bound::add)
                .then(Mono.just(forwarder))
                .onErrorResume(e -> forwarder.close().then(Mono.error(e)));
    }

    /**
     * A DRBG, seeded here (off the event loops): unlike the default NativePRNG it does not read
     * /dev/urandom on every call, so drawing ids on an event loop does no file I/O.
     */
    private static SecureRandom idRandom() {
        SecureRandom r;
        try {
            r = SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            r = new SecureRandom();
        }
        r.nextInt();
        return r;
    }

    private static InetAddress anyLocal(boolean v6) {
        try {
            return InetAddress.getByAddress(new byte[v6 ? 16 : 4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean allows(InetAddress client) {
        return settings.allows(client);
    }

    /**
     * Relays {@code query} (the client's raw message) and emits the upstream's response, or SERVFAIL
     * when every upstream failed or timed out.
     */
    Mono<DnsReply> forward(WireRequest request, byte[] query, Transport transport) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return Flux.fromIterable(settings.upstreams())
                    .concatMap(u -> attempt(u, request, query, transport))
                    .next()
                    .map(bytes -> {
                        metrics.forwarded(true, System.nanoTime() - start);
                        return (DnsReply) new DnsReply.Relayed(request, bytes);
                    })
                    .switchIfEmpty(Mono.fromSupplier(() -> {
                        metrics.forwarded(false, System.nanoTime() - start);
                        return DnsReply.Built.error(request, DnsResponseCode.SERVFAIL);
                    }));
        });
    }

    private Mono<byte[]> attempt(InetSocketAddress upstream, WireRequest request, byte[] query, Transport transport) {
        return udp(upstream, request, query).flatMap(bytes -> {
            boolean truncated = (bytes[2] & 0x02) != 0;
            if (truncated && transport == Transport.TCP) {
                return tcpClient.ask(upstream, request.question().orElseThrow(), query);
            }
            return Mono.just(bytes);
        });
    }

    private Mono<byte[]> udp(InetSocketAddress upstream, WireRequest request, byte[] query) {
        Channel channel = channelFor(upstream);
        return Mono.create(sink -> {
            if (pending.size() >= MAX_PENDING) {
                log.debug("too many upstream queries in flight, not asking {}", upstream);
                sink.success();
                return;
            }
            Pending p = new Pending(sink, upstream, request.question().orElseThrow());
            int id;
            do {
                id = random.nextInt(0x10000);
            } while (pending.putIfAbsent(id, p) != null);
            int key = id;
            Disposable timer = clock.schedule(() -> {
                if (pending.remove(key, p)) {
                    sink.success();
                }
            }, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            sink.onDispose(() -> {
                pending.remove(key, p);
                timer.dispose();
            });
            ByteBuf out = UpstreamWire.query(channel.alloc(), query, id, false);
            channel.writeAndFlush(new DatagramPacket(out, upstream)).addListener(f -> {
                if (!f.isSuccess() && pending.remove(key, p)) {
                    log.debug("upstream {} send failed: {}", upstream, f.cause().toString());
                    sink.success();
                }
            });
        });
    }

    private Channel channelFor(InetSocketAddress upstream) {
        boolean v4 = upstream.getAddress() instanceof Inet4Address;
        for (Channel c : channels) {
            boolean cv4 = ((InetSocketAddress) c.localAddress()).getAddress() instanceof Inet4Address;
            if (cv4 == v4) {
                return c;
            }
        }
        throw new IllegalStateException("no upstream socket for " + upstream);
    }

    /** Closes the upstream sockets; queries in flight complete empty (SERVFAIL). */
    Mono<Void> close() {
        return Flux.fromIterable(channels).concatMap(c -> NettyFutures.done(c.close())).then()
                .doFinally(s -> pending.values().forEach(p -> p.sink().success()));
    }

    /** Reads upstream responses from the shared UDP sockets. */
    private final class UpstreamHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            try {
                ByteBuf m = packet.content();
                if (m.readableBytes() < HEADER) {
                    return;
                }
                int id = m.getUnsignedShort(m.readerIndex());
                Pending p = pending.get(id);
                if (p == null || !p.upstream().equals(packet.sender()) || !UpstreamWire.answers(m, id, p.question())) {
                    return; // late, spoofed or foreign: ignore
                }
                if (pending.remove(id, p)) {
                    p.sink().success(ByteBufUtil.getBytes(m));
                }
            } finally {
                packet.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("upstream socket: {}", cause.toString());
        }
    }
}
