package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.dns.authority.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Answers DNS queries arriving on one UDP socket. Replies that are ready while the socket is being
 * read are written at once and flushed once per read burst; replies that come later (boots,
 * forwarding) and complete off the event loop are queued (MPSC) and written by one drain task with
 * one flush, so that a boot finishing with a thousand waiters costs one task and one flush (one
 * {@code sendmmsg} per batch with epoll), not a thousand.
 */
final class UdpQueryHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

    private final QueryResponder responder;
    private final InFlight inFlight;
    private boolean reading;
    private boolean needsFlush;
    /** Replies completed off the event loop (boots, forwarding), written by one drain task per burst. */
    private final Queue<Late> late = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** A reply that completed off the event loop, waiting for the drain. */
    private record Late(DnsReply reply, InetSocketAddress sender, long start, ReplySubscriber subscriber) {
    }

    UdpQueryHandler(QueryResponder responder, InFlight inFlight) {
        this.responder = responder;
        this.inFlight = inFlight;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long start = System.nanoTime();
        InetSocketAddress sender = packet.sender();
        Mono<DnsReply> reply;
        try {
            reply = responder.respondCounted(packet.content(), sender, Transport.UDP, inFlight);
        } finally {
            packet.release();
        }
        if (reply == QueryResponder.NO_REPLY) {
            return;
        }
        Optional<DnsReply> now = QueryResponder.now(reply);
        if (now.isPresent()) { // warm: written now, flushed at the end of the read burst
            try {
                write(ctx, now.get(), sender, start);
                needsFlush = true;
            } finally {
                inFlight.decrement();
            }
            return;
        }
        ReplySubscriber[] self = new ReplySubscriber[1];
        self[0] = new ReplySubscriber(r -> deliver(ctx, r, sender, start, self[0]), inFlight::decrement);
        reading = true;
        try {
            reply.subscribe(self[0]);
        } finally {
            reading = false;
        }
    }

    private void deliver(ChannelHandlerContext ctx, DnsReply reply, InetSocketAddress sender, long start,
                         ReplySubscriber subscriber) {
        if (ctx.executor().inEventLoop()) {
            try {
                write(ctx, reply, sender, start);
                if (reading) {
                    needsFlush = true;
                } else {
                    ctx.flush();
                }
            } finally {
                subscriber.done();
            }
            return;
        }
        late.offer(new Late(reply, sender, start, subscriber));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(() -> drain(ctx));
            } catch (RejectedExecutionException e) {
                log.debug("event loop gone, late replies dropped");
                for (Late l = late.poll(); l != null; l = late.poll()) {
                    l.subscriber().done();
                }
            }
        }
    }

    /**
     * Writes every reply that completed off the event loop since the last drain, then flushes once:
     * with epoll, one flush of many datagrams is one {@code sendmmsg}. The queries stop counting as in
     * flight only after the flush, so that a shutdown waiting for them closes the socket after it.
     */
    private void drain(ChannelHandlerContext ctx) {
        drainScheduled.set(false); // before polling: a reply offered from now on schedules a new drain
        List<ReplySubscriber> written = new ArrayList<>();
        try {
            for (Late l = late.poll(); l != null; l = late.poll()) {
                written.add(l.subscriber());
                write(ctx, l.reply(), l.sender(), l.start());
            }
            if (!written.isEmpty()) {
                ctx.flush(); // a task of its own: never inside a read burst
            }
        } finally {
            for (ReplySubscriber s : written) {
                s.done();
            }
        }
    }

    private void write(ChannelHandlerContext ctx, DnsReply reply, InetSocketAddress sender, long start) {
        ByteBuf out = responder.encodeUdpLimited(ctx.alloc(), reply, sender, start);
        if (out != null) { // null: dropped by the rate limit
            ctx.write(new DatagramPacket(out, sender), ctx.voidPromise());
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("UDP socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
