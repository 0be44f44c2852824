package org.jitsu.bench.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A minimal TCP proxy for {@link HoldBench}, the zero-copy peer of Jitsu's front: Netty epoll's
 * {@code AbstractEpollStreamChannel.spliceTo}, i.e. Linux {@code splice(2)} from one socket into a pipe
 * and from the pipe into the other socket, the bytes never in user space. One event loop; each accepted
 * connection connects to its listener's target on the same loop (spliceTo needs both channels there),
 * both channels level-triggered (spliceTo refuses edge-triggered channels) and not reading until both
 * splices are queued (a read before would hand the bytes to the pipeline instead of the pipe). A close
 * of either side closes the other; there is no half-close.
 *
 * <p>{@code spliceTo}, {@code EpollMode} and {@code EPOLL_MODE} are deprecated in Netty 4.2 but present
 * and working in the 4.2.18 on the class path; the warnings are suppressed for this class alone.
 */
@SuppressWarnings("deprecation")
final class SpliceProxy implements AutoCloseable {
    private final EventLoopGroup group;
    private final List<Channel> listeners;

    private SpliceProxy(EventLoopGroup group, List<Channel> listeners) {
        this.group = group;
        this.listeners = listeners;
    }

    /** Listens on {@code address}, one free port per target, in the order of {@code targets}. */
    static SpliceProxy start(InetAddress address, List<InetSocketAddress> targets) throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("epoll is not available", Epoll.unavailabilityCause());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-splice", true),
                EpollIoHandler.newFactory());
        List<Channel> bound = new ArrayList<>();
        try {
            for (InetSocketAddress target : targets) {
                bound.add(new ServerBootstrap()
                        .group(group)
                        .channel(EpollServerSocketChannel.class)
                        .childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                            @Override
                            protected void initChannel(EpollSocketChannel ch) {
                                ch.pipeline().addLast(new Accepted(target));
                            }
                        })
                        .bind(new InetSocketAddress(address, 0)).syncUninterruptibly().channel());
            }
        } catch (RuntimeException e) {
            new SpliceProxy(group, bound).close();
            throw new IOException("cannot start the spliceTo proxy on " + address + ": " + e, e);
        }
        return new SpliceProxy(group, bound);
    }

    /** The listening ports, in the order of the targets. */
    List<Integer> ports() {
        List<Integer> out = new ArrayList<>();
        listeners.forEach(c -> out.add(((InetSocketAddress) c.localAddress()).getPort()));
        return out;
    }

    /** One accepted connection: connects to the target, then splices both ways. */
    private static final class Accepted extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress target;

        Accepted(InetSocketAddress target) {
            this.target = target;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            EpollSocketChannel client = (EpollSocketChannel) ctx.channel();
            ChannelFuture f = new Bootstrap()
                    .group(client.eventLoop())
                    .channel(EpollSocketChannel.class)
                    .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new Closer())
                    .connect(target);
            f.addListener((ChannelFutureListener) done -> {
                if (!done.isSuccess()) {
                    client.close();
                    return;
                }
                EpollSocketChannel service = (EpollSocketChannel) done.channel();
                ChannelFutureListener closeBoth = spliced -> {
                    client.close();
                    service.close();
                };
                client.closeFuture().addListener(closeBoth);
                service.closeFuture().addListener(closeBoth);
                // Integer.MAX_VALUE: splice until either channel closes (the future fails then)
                client.spliceTo(service, Integer.MAX_VALUE).addListener(closeBoth);
                service.spliceTo(client, Integer.MAX_VALUE).addListener(closeBoth);
                client.config().setAutoRead(true);
                service.config().setAutoRead(true);
            });
            ctx.pipeline().replace(this, "closer", new Closer());
        }
    }

    /** Closes its channel on an error (a reset by the peer). */
    private static final class Closer extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        listeners.forEach(c -> c.close().syncUninterruptibly());
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
