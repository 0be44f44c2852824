package org.jitsu.server.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.net.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The connection-holding front (the original's Synjitsu): for each service with a hold, a TCP listener
 * on each front address and port. A connection to a running service is spliced to it at once; one that
 * arrives while the service is stopped or booting is accepted and held until the boot ends (see
 * {@link HeldConnection}). It runs on its own event loops, never the DNS server's, and reaches the
 * services only through the on-demand core.
 *
 * <pre>{@code
 * ConnectionBook book = new ConnectionBook(holds, ProxySettings.DEFAULT, timer);   // the core's ServiceTraffic
 * OnDemandCore core = OnDemandCore.builder().traffic(book)...build();
 * FrontProxy front = FrontProxy.bind(ProxySettings.DEFAULT, book, core::service, ProxyMetrics.NONE).block();
 * }</pre>
 */
public final class FrontProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrontProxy.class);

    private static final AttributeKey<Listener> LISTENER = AttributeKey.valueOf("jitsu-listener");

    private final EventLoopGroup group;
    private final List<Channel> channels;

    private FrontProxy(EventLoopGroup group, List<Channel> channels) {
        this.group = group;
        this.channels = List.copyOf(channels);
    }

    /** What one listener's connections need: its service, its port and the front's shared parts. */
    record Listener(ConnectionBook book, ConnectionBook.Ledger ledger, HeldPort port,
                    Function<String, Optional<ManagedService>> services, ProxyMetrics metrics, Transports transports) {
    }

    /**
     * Binds every service's front addresses and ports. Completes with the bound front, or errors with the
     * address that could not be bound (nothing stays bound then). With no service holding, binds nothing.
     */
    public static Mono<FrontProxy> bind(ProxySettings settings, ConnectionBook book,
                                        Function<String, Optional<ManagedService>> services, ProxyMetrics metrics) {
        return bind(settings, book, services, metrics, Transports.detect());
    }

    static Mono<FrontProxy> bind(ProxySettings settings, ConnectionBook book,
                                 Function<String, Optional<ManagedService>> services, ProxyMetrics metrics,
                                 Transports transports) {
        return Mono.defer(() -> {
            if (book.ledgers().isEmpty()) {
                return Mono.just(new FrontProxy(null, List.of()));
            }
            EventLoopGroup group = transports.newGroup(settings.eventLoops(), "jitsu-front");
            List<Channel> bound = new CopyOnWriteArrayList<>();
            List<Mono<Channel>> binds = new ArrayList<>();
            for (ConnectionBook.Ledger ledger : book.ledgers()) {
                for (HeldPort port : ledger.settings().ports()) {
                    Listener listener = new Listener(book, ledger, port, services, metrics, transports);
                    for (InetAddress front : ledger.settings().front()) {
                        binds.add(bindOne(group, transports, listener, new InetSocketAddress(front, port.port())));
                    }
                }
            }
            return Flux.concat(binds)
                    .doOnNext(bound::add)
                    .then(Mono.fromCallable(() -> {
                        bound.forEach(c -> log.info("front listening on {} for service {}", c.localAddress(),
                                serviceOf(book, c)));
                        return new FrontProxy(group, bound);
                    }))
                    .onErrorResume(e -> {
                        bound.forEach(Channel::close);
                        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                        return Mono.error(e);
                    });
        });
    }

    private static String serviceOf(ConnectionBook book, Channel c) {
        return c.attr(LISTENER).get().ledger().id();
    }

    private static Mono<Channel> bindOne(EventLoopGroup group, Transports transports, Listener listener,
                                         SocketAddress address) {
        Sinks.One<Channel> result = Sinks.one();
        new ServerBootstrap()
                .group(group)
                .channelFactory(transports.server())
                .option(ChannelOption.SO_REUSEADDR, true)
                .attr(LISTENER, listener)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("held", new HeldConnection(listener));
                    }
                })
                .bind(address)
                .addListener(f -> {
                    if (f.isSuccess()) {
                        result.tryEmitValue(((ChannelFuture) f).channel());
                    } else {
                        result.tryEmitError(new IOException("cannot listen on " + address + " (front of service "
                                + listener.ledger().id() + "): " + f.cause().getMessage(), f.cause()));
                    }
                });
        return result.asMono();
    }

    /** The bound listener addresses, in configuration order. */
    public List<InetSocketAddress> addresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        channels.forEach(c -> out.add((InetSocketAddress) c.localAddress()));
        return out;
    }

    /** Stops listening and closes every connection (held ones get a reset). */
    @Override
    public void close() {
        channels.forEach(c -> c.close().syncUninterruptibly());
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
