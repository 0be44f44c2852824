package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Proves that {@link NettyLeakExtension} sees a leaked buffer (it relies on paranoid detection). */
@Tag("fast")
class NettyLeakExtensionTest {

    @Test
    void paranoidLeakDetectionIsOn() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void reportsALeakedBuffer() {
        NettyLeakExtension.collectLeaks();
        leakOne();
        // the collected buffer's reference is enqueued by the JVM's reference handler after the GC, which
        // may lag under load: collect again (GC and allocate) until the report is in, for at most 100 rounds
        List<String> leaks = NettyLeakExtension.collectLeaks();
        for (int round = 0; leaks.isEmpty() && round < 100; round++) {
            leaks = NettyLeakExtension.collectLeaks();
        }
        assertThat(leaks).isNotEmpty();
        assertThat(leaks.get(0)).contains("LEAK");
        assertThat(NettyLeakExtension.collectLeaks()).as("reports are consumed").isEmpty();
    }

    @Test
    void reportsNothingWhenBuffersAreReleased() {
        NettyLeakExtension.collectLeaks();
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        b.writeLong(1);
        b.release();
        assertThat(NettyLeakExtension.collectLeaks()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(32);
        b.writeLong(42);
    }
}
