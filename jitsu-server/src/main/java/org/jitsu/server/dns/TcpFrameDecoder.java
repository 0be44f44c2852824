package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TCP stream into DNS messages by their 2-byte length prefix (RFC 1035 4.2.2, RFC 7766 8).
 * A zero-length frame or one longer than {@code maxFrame} closes the connection.
 */
final class TcpFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrame;
    private final Runnable onBadFrame;
    private boolean failed;

    TcpFrameDecoder(int maxFrame, Runnable onBadFrame) {
        this.maxFrame = maxFrame;
        this.onBadFrame = onBadFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.readableBytes() >= 2) {
            int length = in.getUnsignedShort(in.readerIndex());
            if (length == 0 || length > maxFrame) {
                failed = true;
                in.skipBytes(in.readableBytes());
                onBadFrame.run();
                ctx.close();
                return;
            }
            if (in.readableBytes() < 2 + length) {
                return;
            }
            in.skipBytes(2);
            out.add(in.readRetainedSlice(length));
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }
}
