package org.jitsu.server.dns;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.server.dns.authority.Transport;

/**
 * Caps open TCP connections: a connection beyond the cap is closed at once and counted as dropped.
 * One instance per connection, sharing the counter of the server.
 */
final class TcpConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final AtomicInteger open;
    private final int max;
    private final FrontEndMetrics metrics;
    private boolean counted;

    TcpConnectionLimiter(AtomicInteger open, int max, FrontEndMetrics metrics) {
        this.open = open;
        this.max = max;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            metrics.dropped(Transport.TCP, "tcp connection limit");
            ctx.close();
            return;
        }
        counted = true;
        metrics.tcpConnections(1);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            open.decrementAndGet();
            metrics.tcpConnections(-1);
        }
        ctx.fireChannelInactive();
    }
}
