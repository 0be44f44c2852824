package org.jitsu.bench.jmh;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A benchmark allocator that hands out one direct buffer over and over (cleared, retained; the
 * caller's release gives it back), so that a benchmark counts the front end's own allocation and
 * not the pooled allocator's. Why: Netty 4.2 recycles pooled buffer objects and keeps a thread cache
 * only on {@code FastThreadLocalThread}s, which event loops are and JMH's worker threads are not; on
 * a JMH thread every pooled buffer costs a fresh ~116-byte object that an event loop does not pay.
 * One buffer at a time: the caller must release it before asking for the next.
 */
final class ReusedBufferAllocator extends AbstractByteBufAllocator {
    private final ByteBuf buffer = Unpooled.directBuffer(4096);

    ReusedBufferAllocator() {
        super(true);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return newDirectBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        if (buffer.refCnt() != 1) {
            throw new IllegalStateException("the previous buffer was not released");
        }
        return buffer.retain().clear();
    }

    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    /** Frees the buffer. */
    void close() {
        buffer.release();
    }
}
