package org.jitsu.backend.libvirt;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsu.backend.VmState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The grace period after a shutdown request, in virtual time (the test driver shuts domains off at
 * once, so a guest that ignores the request is simulated by the state probe).
 */
@Tag("fast")
class ShutdownWaitTest {
    private static final Duration T = Duration.ofSeconds(5);

    @Test
    void guestThatIgnoresShutdownIsGivenExactlyTheGracePeriod() {
        Sinks.Many<VmState> events = Sinks.many().multicast().directBestEffort();
        StepVerifier.withVirtualTime(() -> ShutdownWait.awaitOff(events.asFlux(), () -> Mono.just(VmState.RUNNING),
                        Duration.ofSeconds(10), VirtualTimeScheduler.get()))
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(9_999))
                .thenAwait(Duration.ofMillis(1))
                .expectNext(false)
                .expectComplete()
                .verify(T);
    }

    @Test
    void stoppedEventEndsTheWaitEarly() {
        Sinks.Many<VmState> events = Sinks.many().multicast().directBestEffort();
        StepVerifier.withVirtualTime(() -> ShutdownWait.awaitOff(events.asFlux(), () -> Mono.just(VmState.RUNNING),
                        Duration.ofSeconds(10), VirtualTimeScheduler.get()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .then(() -> events.tryEmitNext(VmState.STOPPING))
                .then(() -> events.tryEmitNext(VmState.STOPPED))
                .expectNext(true)
                .expectComplete()
                .verify(T);
    }

    @Test
    void pollingNoticesTheDomainOffWithoutAnEvent() {
        AtomicReference<VmState> state = new AtomicReference<>(VmState.RUNNING);
        StepVerifier.withVirtualTime(() -> ShutdownWait.awaitOff(Sinks.many().multicast().<VmState>directBestEffort().asFlux(),
                        () -> Mono.fromSupplier(state::get), Duration.ofSeconds(10),
                        VirtualTimeScheduler.get()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(3))
                .then(() -> state.set(VmState.STOPPED))
                .thenAwait(Duration.ofSeconds(1)) // one poll interval (grace / 10)
                .expectNext(true)
                .expectComplete()
                .verify(T);
    }

    @Test
    void failingPollsAreSkipped() {
        AtomicReference<Boolean> fail = new AtomicReference<>(true);
        StepVerifier.withVirtualTime(() -> ShutdownWait.awaitOff(Sinks.many().multicast().<VmState>directBestEffort().asFlux(),
                        () -> fail.get() ? Mono.error(new IllegalStateException("lost")) : Mono.just(VmState.STOPPED),
                        Duration.ofSeconds(10), VirtualTimeScheduler.get()))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(2))
                .then(() -> fail.set(false))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(true)
                .expectComplete()
                .verify(T);
    }
}
