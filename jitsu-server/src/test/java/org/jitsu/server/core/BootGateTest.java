package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.subscriber.TestSubscriber;

@Tag("fast")
class BootGateTest {
    private final CountingMetrics metrics = new CountingMetrics();
    private final BootGate gate = new BootGate(new BootLimits(2, 2, 1), metrics);

    @Test
    void grantsUpToTheLimitQueuesFifoAndRefusesPastTheQueue() {
        BootGate.Ticket a = gate.tryEnter().orElseThrow();
        BootGate.Ticket b = gate.tryEnter().orElseThrow();
        BootGate.Ticket c = gate.tryEnter().orElseThrow();
        BootGate.Ticket d = gate.tryEnter().orElseThrow();
        Optional<BootGate.Ticket> e = gate.tryEnter();
        assertThat(e).isEmpty();
        assertThat(gate.running()).isEqualTo(2);
        assertThat(gate.queued()).isEqualTo(2);
        StepVerifier.create(a.whenGranted()).expectComplete().verify(Duration.ofSeconds(5));

        TestSubscriber<Void> cWaits = TestSubscriber.create();
        TestSubscriber<Void> dWaits = TestSubscriber.create();
        c.whenGranted().subscribe(cWaits);
        d.whenGranted().subscribe(dWaits);
        assertThat(cWaits.isTerminated()).isFalse();

        gate.leave(a);
        assertThat(cWaits.isTerminatedComplete()).as("oldest queued first").isTrue();
        assertThat(dWaits.isTerminated()).isFalse();
        assertThat(gate.running()).isEqualTo(2);
        assertThat(gate.queued()).isEqualTo(1);

        gate.leave(a); // leaving twice changes nothing
        assertThat(gate.running()).isEqualTo(2);
        assertThat(dWaits.isTerminated()).isFalse();

        gate.leave(d); // a queued ticket that gives up leaves the queue
        assertThat(gate.queued()).isZero();
        gate.leave(b);
        gate.leave(c);
        assertThat(gate.running()).isZero();
        assertThat(dWaits.isTerminated()).as("a ticket that left is never granted").isFalse();
        assertThat(metrics.maxRunning).isEqualTo(2);
    }
}
