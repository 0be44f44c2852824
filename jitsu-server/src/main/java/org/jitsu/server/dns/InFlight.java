package org.jitsu.server.dns;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/** Counts queries between receipt and reply, so that shutdown can wait for them briefly. */
final class InFlight {
    private final AtomicInteger count = new AtomicInteger();
    private final Sinks.Empty<Void> drained = Sinks.empty();
    private volatile boolean closing;

    void increment() {
        count.incrementAndGet();
    }

    void decrement() {
        if (count.decrementAndGet() == 0 && closing) {
            drained.tryEmitEmpty();
        }
    }

    int count() {
        return count.get();
    }

    /** Completes when no query is in flight any more, or after {@code max} on {@code clock}. */
    Mono<Void> drain(Duration max, Scheduler clock) {
        closing = true;
        if (count.get() == 0) {
            drained.tryEmitEmpty();
        }
        return drained.asMono().timeout(max, Mono.empty(), clock);
    }
}
