package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import org.jitsu.server.dns.authority.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Answers the DNS messages of one TCP connection (RFC 7766): pipelined queries are answered as their
 * replies complete, possibly out of order. Queries still waiting when the connection closes are
 * cancelled. An idle connection is closed unless a query is still waiting. With {@code maxWaiting}
 * queries waiting, the connection stops reading until one completes (backpressure on slow boots).
 */
final class TcpQueryHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TcpQueryHandler.class);

    private final QueryResponder responder;
    private final InFlight inFlight;
    private final int maxWaiting;
    private final Set<ReplySubscriber> waiting = ConcurrentHashMap.newKeySet();
    private boolean reading;
    private boolean needsFlush;

    TcpQueryHandler(QueryResponder responder, InFlight inFlight, int maxWaiting) {
        this.responder = responder;
        this.inFlight = inFlight;
        this.maxWaiting = maxWaiting;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long start = System.nanoTime();
        Mono<DnsReply> reply;
        try {
            reply = responder.respondCounted(frame, (InetSocketAddress) ctx.channel().remoteAddress(), Transport.TCP,
                    inFlight);
        } finally {
            frame.release();
        }
        if (reply == QueryResponder.NO_REPLY) {
            return;
        }
        Optional<DnsReply> now = QueryResponder.now(reply);
        if (now.isPresent()) { // warm: written now, flushed at the end of the read burst
            try {
                if (ctx.channel().isActive()) {
                    ctx.write(responder.encodeTcp(ctx.alloc(), now.get(), start), ctx.voidPromise());
                    needsFlush = true;
                }
            } finally {
                inFlight.decrement();
            }
            return;
        }
        ReplySubscriber[] self = new ReplySubscriber[1];
        self[0] = new ReplySubscriber(r -> deliver(ctx, r, start, self[0]), () -> {
            waiting.remove(self[0]);
            inFlight.decrement();
            resumeReading(ctx);
        });
        waiting.add(self[0]);
        reading = true;
        try {
            reply.subscribe(self[0]);
        } finally {
            reading = false;
        }
        if (waiting.size() >= maxWaiting) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resumeReading(ChannelHandlerContext ctx) {
        if (ctx.executor().inEventLoop()) {
            if (!ctx.channel().config().isAutoRead() && waiting.size() < maxWaiting && ctx.channel().isActive()) {
                ctx.channel().config().setAutoRead(true);
            }
            return;
        }
        try {
            ctx.executor().execute(() -> resumeReading(ctx));
        } catch (RejectedExecutionException e) {
            log.debug("event loop gone");
        }
    }

    private void deliver(ChannelHandlerContext ctx, DnsReply reply, long start, ReplySubscriber subscriber) {
        if (ctx.executor().inEventLoop()) {
            try {
                if (ctx.channel().isActive()) {
                    ctx.write(responder.encodeTcp(ctx.alloc(), reply, start), ctx.voidPromise());
                    if (reading) {
                        needsFlush = true;
                    } else {
                        ctx.flush();
                    }
                }
            } finally {
                subscriber.done();
            }
            return;
        }
        try {
            ctx.executor().execute(() -> deliver(ctx, reply, start, subscriber));
        } catch (RejectedExecutionException e) {
            log.debug("event loop gone, TCP reply dropped");
            subscriber.done();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (waiting.isEmpty()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ReplySubscriber s : waiting.toArray(new ReplySubscriber[0])) {
            s.cancel();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TCP connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
