package org.jitsu.backend.readiness;

import java.time.Duration;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** {@code delay: 100ms}: waits a fixed time on the timer (for services with no better signal). */
record DelayCheck(Duration delay, String text, Scheduler timer) implements ReadinessCheck {

    @Override
    public Mono<Void> await(Vm vm) {
        return Mono.delay(delay, timer).then();
    }

    @Override
    public String describe() {
        return "delay " + text;
    }
}
