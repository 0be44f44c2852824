package org.jitsu.backend.readiness;

import java.io.IOException;
import java.nio.channels.AsynchronousSocketChannel;
import java.time.Duration;
import java.util.function.BiConsumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * One readiness attempt on a fresh non-blocking connection (a JDK asynchronous channel): the channel
 * is opened, handed to {@code exchange} with the attempt's sink, and closed when the attempt ends
 * (answer, error, timeout or cancel). Shared by {@link TcpCheck} and {@link HttpCheck}.
 */
final class Attempts {
    /** Per-attempt bound for a connect or an HTTP exchange. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private Attempts() {
    }

    /** An attempt bounded by {@code timeout} on {@code timer}; a failure to open the channel is its error. */
    static <T> Mono<T> onFreshChannel(Duration timeout, Scheduler timer,
                                      BiConsumer<AsynchronousSocketChannel, MonoSink<T>> exchange) {
        return Mono.<T>create(sink -> {
            AsynchronousSocketChannel ch;
            try {
                ch = AsynchronousSocketChannel.open();
            } catch (IOException e) {
                sink.error(e);
                return;
            }
            sink.onDispose(() -> closeQuietly(ch));
            exchange.accept(ch, sink);
        }).timeout(timeout, timer);
    }

    private static void closeQuietly(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Nothing to do: the attempt is over either way.
        }
    }
}
