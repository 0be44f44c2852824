package org.jitsu.server.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.net.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Asks an upstream over TCP (RFC 7766) when its UDP answer was truncated: one short-lived connection
 * per query on the server's event loops, a fresh random id, the whole exchange bounded by the timeout.
 */
final class UpstreamTcpClient {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTcpClient.class);

    private final EventLoopGroup group;
    private final Transports transports;
    private final Duration timeout;
    private final SecureRandom random;
    private final Scheduler clock;

    UpstreamTcpClient(EventLoopGroup group, Transports transports, Duration timeout, SecureRandom random,
                      Scheduler clock) {
        this.clock = clock;
        this.group = group;
        this.transports = transports;
        this.timeout = timeout;
        this.random = random;
    }

    /** The upstream's answer to {@code query} over TCP, or empty on failure or timeout. */
    Mono<byte[]> ask(InetSocketAddress upstream, WireRequest.Question question, byte[] query) {
        return Mono.create(sink -> {
            int id = random.nextInt(0x10000);
            Bootstrap b = new Bootstrap().group(group)
                    .channelFactory(transports.client())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new TcpFrameDecoder(0xffff, () -> { }),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            ByteBuf buf = (ByteBuf) msg;
                                            try {
                                                if (UpstreamWire.answers(buf, id, question)) {
                                                    sink.success(ByteBufUtil.getBytes(buf));
                                                    ctx.close();
                                                }
                                            } finally {
                                                buf.release();
                                            }
                                        }

                                        @Override
                                        public void channelInactive(ChannelHandlerContext ctx) {
                                            sink.success();
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                            log.debug("upstream {} over TCP: {}", upstream, cause.toString());
                                            ctx.close();
                                        }
                                    });
                        }
                    });
            ChannelFuture connect = b.connect(upstream);
            Channel channel = connect.channel();
            Disposable timer = clock.schedule(() -> {
                sink.success();
                channel.close();
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            sink.onDispose(() -> {
                timer.dispose();
                channel.close();
            });
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    sink.success();
                    return;
                }
                channel.writeAndFlush(UpstreamWire.query(channel.alloc(), query, id, true));
            });
        });
    }
}
