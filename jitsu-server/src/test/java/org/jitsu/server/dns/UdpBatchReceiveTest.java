package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.EpollChannelOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The batch receive allocator's sizing and its "stop after a short batch" rule, without sockets. */
@Tag("fast")
class UdpBatchReceiveTest {

    private static RecvByteBufAllocator.ExtendedHandle handle(int batch, int maxPerRead, EmbeddedChannel ch) {
        RecvByteBufAllocator.ExtendedHandle h =
                (RecvByteBufAllocator.ExtendedHandle) new UdpBatchReceive(batch, maxPerRead).newHandle();
        h.reset(ch.config());
        return h;
    }

    /** What Netty's epoll channel reports after one recvmmsg that filled {@code read} of {@code offered} slots. */
    private static void recvmmsg(RecvByteBufAllocator.Handle h, int offered, int read) {
        h.attemptedBytesRead(offered * UdpBatchReceive.SLOT);
        h.lastBytesRead(read * UdpBatchReceive.SLOT);
        h.incMessagesRead(read);
    }

    @Test
    void buffersHoldOneSlotPerDatagramOfTheBatch() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(handle(16, 64, ch).guess()).isEqualTo(16 * UdpBatchReceive.SLOT);
        ch.finishAndReleaseAll();
    }

    @Test
    void aFullBatchReadsOnAndAShortOneEndsTheBurst() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RecvByteBufAllocator.ExtendedHandle h = handle(8, 64, ch);
        recvmmsg(h, 8, 8);
        assertThat(h.continueReading()).as("a full batch: the socket may hold more").isTrue();
        recvmmsg(h, 8, 3);
        assertThat(h.continueReading()).as("a short batch: the socket was empty, epoll reports more").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aBurstEndsAfterMaxPerReadDatagramsEvenWhenBatchesAreFull() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RecvByteBufAllocator.ExtendedHandle h = handle(8, 16, ch);
        recvmmsg(h, 8, 8);
        assertThat(h.continueReading()).isTrue();
        recvmmsg(h, 8, 8);
        assertThat(h.continueReading()).as("16 datagrams read: the loop turns to its other work").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aBurstStopsWhenReadingIsOff() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RecvByteBufAllocator.ExtendedHandle h = handle(8, 64, ch);
        ch.config().setAutoRead(false);
        recvmmsg(h, 8, 8);
        assertThat(h.continueReading()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void batchOneLeavesNettysDefaultsAndLargerBatchesSetSlotAndAllocator() {
        Bootstrap single = UdpBatchReceive.configure(new Bootstrap(), 1, 64);
        assertThat(single.config().options()).doesNotContainKeys(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE,
                ChannelOption.RCVBUF_ALLOCATOR);
        Bootstrap batched = UdpBatchReceive.configure(new Bootstrap(), 32, 64);
        assertThat(batched.config().options()).containsEntry(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE,
                UdpBatchReceive.SLOT);
        assertThat(batched.config().options().get(ChannelOption.RCVBUF_ALLOCATOR))
                .isInstanceOfSatisfying(UdpBatchReceive.class, a -> assertThat(a.batch()).isEqualTo(32));
    }

    @Test
    void rejectsABatchOfOneAndNoReads() {
        assertThatThrownBy(() -> new UdpBatchReceive(1, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpBatchReceive(8, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
