package org.jitsu.server.dns;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test when Netty's {@link ResourceLeakDetector} reports a leaked buffer during it.
 *
 * <p>Netty reports leaks through its logger ({@code io.netty.util.ResourceLeakDetector}, ERROR,
 * "LEAK: ..."), whatever detector instance found them and whenever its class was initialised; this
 * extension listens on that logger. After each test it runs the garbage collector and allocates a
 * few buffers (the detector only looks for collected, unreleased buffers when it tracks new ones),
 * then fails the test if any report arrived. Use with {@code -Dio.netty.leakDetection.level=paranoid}
 * (set for every test JVM by the parent POM) so that every buffer is tracked.
 *
 * <pre>{@code @ExtendWith(NettyLeakExtension.class) class MyCodecTest { ... } }</pre>
 */
public final class NettyLeakExtension implements BeforeEachCallback, AfterEachCallback {
    private static final Queue<String> REPORTS = new ConcurrentLinkedQueue<>();

    static {
        Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().contains("LEAK")) {
                    REPORTS.add(event.getFormattedMessage());
                }
            }
        };
        appender.setName("jitsu-leak-listener");
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        collectLeaks();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) reported during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** Provokes leak detection and returns (and forgets) every report seen since the last call. */
    public static List<String> collectLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (ByteBufAllocator alloc : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                    UnpooledByteBufAllocator.DEFAULT)) {
                for (int i = 0; i < 8; i++) {
                    ByteBuf heap = alloc.heapBuffer(16);
                    heap.release();
                    ByteBuf direct = alloc.directBuffer(16);
                    direct.release();
                }
            }
        }
        List<String> out = new ArrayList<>();
        String s;
        while ((s = REPORTS.poll()) != null) {
            out.add(s);
        }
        return out;
    }
}
