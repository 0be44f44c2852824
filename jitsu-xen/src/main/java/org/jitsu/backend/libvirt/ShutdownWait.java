package org.jitsu.backend.libvirt;

import java.time.Duration;
import java.util.function.Supplier;
import org.jitsu.backend.VmState;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Waits for a domain to be off after a shutdown request: by lifecycle event, or by polling its state. */
final class ShutdownWait {
    static final Duration MIN_POLL = Duration.ofMillis(50);
    static final Duration MAX_POLL = Duration.ofSeconds(1);

    private ShutdownWait() {
    }

    /**
     * Completes with true as soon as {@code events} reports STOPPED or a poll of {@code probe} reads
     * STOPPED; with false when {@code grace} passed first. Polls every grace/10 (50 ms to 1 s); a
     * failed poll is skipped (the next one, or an event, decides).
     */
    static Mono<Boolean> awaitOff(Flux<VmState> events, Supplier<Mono<VmState>> probe, Duration grace, Scheduler timer) {
        Duration poll = clamp(grace.dividedBy(10));
        Flux<VmState> polled = Flux.interval(Duration.ZERO, poll, timer)
                .concatMap(t -> probe.get().onErrorResume(e -> Mono.empty()));
        return Flux.merge(events, polled)
                .filter(s -> s == VmState.STOPPED)
                .next()
                .map(s -> true)
                .timeout(grace, Mono.just(false), timer);
    }

    private static Duration clamp(Duration d) {
        if (d.compareTo(MIN_POLL) < 0) {
            return MIN_POLL;
        }
        return d.compareTo(MAX_POLL) > 0 ? MAX_POLL : d;
    }
}
