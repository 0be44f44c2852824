package org.jitsu.backend.readiness;

import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Repeats an attempt until it succeeds, on the injected timer, until cancelled: the first attempt at
 * once, then one every millisecond for the first {@value #FAST_ATTEMPTS} pauses (a unikernel or a
 * local process is often ready within a few milliseconds, and a coarser poll would add its interval
 * to every cold answer), then backing off from 2 ms, doubling up to 100 ms between attempts.
 */
final class Retry {
    static final int FAST_ATTEMPTS = 20;
    static final Duration FAST_INTERVAL = Duration.ofMillis(1);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(2);
    static final Duration MAX_BACKOFF = Duration.ofMillis(100);

    private Retry() {
    }

    /** The pause after failed attempt number {@code n} (0-based). */
    static Duration backoff(long n) {
        if (n < FAST_ATTEMPTS) {
            return FAST_INTERVAL;
        }
        long k = n - FAST_ATTEMPTS;
        if (k >= 16) {
            return MAX_BACKOFF;
        }
        Duration d = FIRST_BACKOFF.multipliedBy(1L << k);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /**
     * Completes once {@code attempt} emits {@code true}; an attempt that emits {@code false}, completes
     * empty or fails is retried after the back-off.
     */
    static Mono<Void> until(Mono<Boolean> attempt, Scheduler timer) {
        return Mono.defer(() -> attempt)
                .onErrorResume(e -> Mono.just(Boolean.FALSE))
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(Integer.MAX_VALUE, attempts -> attempts.concatMap(n -> Mono.delay(backoff(n), timer)))
                .then();
    }
}
