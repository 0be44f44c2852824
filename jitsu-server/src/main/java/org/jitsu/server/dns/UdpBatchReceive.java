package org.jitsu.server.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How an epoll UDP socket reads queries: several datagrams per {@code recvmmsg} call instead of one
 * {@code recvmsg} each.
 *
 * <p>Netty's epoll datagram channel uses {@code recvmmsg} when {@link EpollChannelOption#MAX_DATAGRAM_PAYLOAD_SIZE}
 * is set and the receive buffer it is given holds more than one datagram of that size: it reads up
 * to {@code buffer size / slot} datagrams into slots of one buffer, then fires one
 * {@code DatagramPacket} (a slice of the buffer) per datagram. This allocator hands out buffers of
 * {@code batch × SLOT} bytes. A datagram larger than a slot is cut at {@link #SLOT} bytes, as Netty's
 * default 2,048-byte datagram buffer cuts it: the parser then answers FORMERR or drops it.
 *
 * <p>It also ends a read burst as soon as one {@code recvmmsg} returns fewer datagrams than it had
 * room for: the socket was empty then, and epoll (level-triggered in Netty 4.2) reports it again
 * when more arrive; without this, every burst would end with one more {@code recvmmsg} that finds
 * nothing ({@code EAGAIN}). The replies of a burst go out together at its end (one {@code sendmmsg}).
 */
final class UdpBatchReceive extends DefaultMaxMessagesRecvByteBufAllocator {
    /** Bytes per datagram slot: what Netty's datagram channels read by default. */
    static final int SLOT = 2048;
    /**
     * Full batches read at most per read burst before the event loop turns to its other work (TCP,
     * timers, late replies) and flushes the burst's replies.
     */
    static final int BATCHES_PER_READ = 4;

    private final int batch;

    /**
     * @param batch datagrams per {@code recvmmsg} (at least 2)
     * @param maxPerRead datagrams read at most before the event loop turns to its other work and the
     *     burst's replies are flushed
     */
    UdpBatchReceive(int batch, int maxPerRead) {
        super(maxPerRead);
        if (batch < 2 || maxPerRead < 1) {
            throw new IllegalArgumentException("batch " + batch + ", maxPerRead " + maxPerRead
                    + " (expected: batch >= 2, maxPerRead >= 1)");
        }
        this.batch = batch;
    }

    /**
     * Sets {@code bootstrap} (an epoll datagram channel's) to read {@code batch} datagrams per
     * system call; {@code batch} 1 leaves Netty's default (one {@code recvmsg} per datagram).
     */
    static Bootstrap configure(Bootstrap bootstrap, int batch, int maxPerRead) {
        if (batch <= 1) {
            return bootstrap;
        }
        return bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, SLOT)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new UdpBatchReceive(batch, maxPerRead));
    }

    int batch() {
        return batch;
    }

    @Override
    public Handle newHandle() {
        return new BatchHandle();
    }

    /** One per channel, used by its event loop only. */
    private final class BatchHandle extends MaxMessageHandle {
        @Override
        public int guess() {
            return batch * SLOT;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            // Netty reports a recvmmsg as (datagrams read × SLOT) of (slots offered × SLOT) bytes.
            return super.continueReading(maybeMoreDataSupplier) && lastBytesRead() >= attemptedBytesRead();
        }
    }
}
