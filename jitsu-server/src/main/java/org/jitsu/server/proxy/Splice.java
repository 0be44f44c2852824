package org.jitsu.server.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * One direction of a spliced connection: what it reads it writes to the other channel, the same buffer
 * (read into pooled direct memory, written from it; no copy in the JVM). Backpressure both ways: a side
 * whose peer is not writable stops reading until the peer drains. A half-close passes through (a client
 * that shuts down its output after the request still gets the answer); a close closes the peer once its
 * writes are flushed. Both channels are on the same event loop.
 */
final class Splice extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final ConnectionBook.Ledger ledger;
    private final ConnectionBook book;
    private final HeldConnection connection;
    private final boolean toService;

    Splice(Channel peer, ConnectionBook book, ConnectionBook.Ledger ledger, HeldConnection connection,
           boolean toService) {
        this.peer = peer;
        this.book = book;
        this.ledger = ledger;
        this.connection = connection;
        this.toService = toService;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        int bytes = buf.readableBytes();
        if (!toService) {
            connection.firstByteFromService();
        }
        ledger.carried(connection.record(), bytes, toService, book.now());
        peer.write(buf, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.config().setAutoRead(true); // this side drained: the peer may read again
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown(ctx.channel());
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    /** The sender ({@code self}) is done: pass the FIN on after what it sent; close once both ways are done. */
    void inputShutdown(Channel self) {
        if (peer instanceof DuplexChannel duplex) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput()
                    .addListener(g -> closeWhenBothShut(self)));
        } else {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeWhenBothShut(Channel self) {
        if (peer instanceof DuplexChannel p && self instanceof DuplexChannel s
                && p.isOutputShutdown() && s.isOutputShutdown()) {
            self.close();
            peer.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        connection.spliceClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by either side: reset the other too, so that it sees the failure rather than a clean end
        HeldConnection.reset(peer);
        ctx.close();
    }
}
