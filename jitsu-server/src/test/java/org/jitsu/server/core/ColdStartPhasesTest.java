package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceUnavailableException.Reason;
import org.jitsu.server.testing.CountingMetrics;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/**
 * The phases of a cold start ({@link ColdStartPhase}) on the core's virtual timer: how long the VM's
 * start and the readiness checks took, how long a boot waited for a slot, that a failed boot reports
 * only the phases it completed, and that nothing is reported before the waiters have their answer.
 */
@Tag("fast")
class ColdStartPhasesTest {
    private static final Duration VERIFY = Duration.ofSeconds(10);
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandCore core;

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.close();
        }
        timer.dispose();
    }

    private void start(BootLimits limits, ServiceDefinition... services) {
        core = OnDemandCore.builder().services(List.of(services)).timer(timer).metrics(metrics).bootLimits(limits)
                .idleCheckInterval(Duration.ofSeconds(1)).build();
        StepVerifier.create(core.start()).expectComplete().verify(VERIFY);
    }

    /** A service whose VM start does {@code start}, with these checks, and a boot timeout of 5 s. */
    private ServiceDefinition service(String id, String address, Mono<Void> start, ReadinessCheck... checks) {
        return service(id, address, Duration.ofSeconds(5), start, checks);
    }

    private ServiceDefinition service(String id, String address, Duration bootTimeout, Mono<Void> start,
                                      ReadinessCheck... checks) {
        ScriptedVm vm = backend.vm(id).startWith(start);
        return new ServiceDefinition(id, List.of(ip(address)), vm, List.of(checks), bootTimeout,
                Duration.ofSeconds(30), StopMode.DESTROY, Duration.ofSeconds(1));
    }

    private Mono<Void> after(long millis) {
        return Mono.delay(Duration.ofMillis(millis), timer).then();
    }

    private ReadinessCheck readyAfter(long millis) {
        return vm -> after(millis);
    }

    private ReadinessCheck refusedAfter(long millis) {
        return vm -> after(millis).then(Mono.error(new BackendException(vm.id(), "not-ready", "connection refused")));
    }

    private TestSubscriber<Endpoints> ask(String id) {
        TestSubscriber<Endpoints> waiter = TestSubscriber.create();
        core.service(id).orElseThrow().ensureRunning().subscribe(waiter);
        return waiter;
    }

    @Test
    void aBootRecordsItsVmStartAndReadinessOnTheCoresTimerOnceTheWaiterIsAnswered() {
        start(BootLimits.DEFAULT, service("web", "192.0.2.10", after(700), readyAfter(200), readyAfter(100)));
        List<String> reportedWhenAnswered = new CopyOnWriteArrayList<>();
        TestSubscriber<Endpoints> waiter = TestSubscriber.create();
        core.service("web").orElseThrow().ensureRunning()
                .doOnNext(endpoints -> reportedWhenAnswered.addAll(metrics.coldStartPhases))
                .subscribe(waiter);

        timer.advanceTimeBy(Duration.ofMillis(700));
        timer.advanceTimeBy(Duration.ofMillis(299));
        assertThat(waiter.isTerminated()).isFalse();
        assertThat(metrics.coldStartPhases).as("nothing before the boot is over").isEmpty();
        timer.advanceTimeBy(Duration.ofMillis(1));

        assertThat(waiter.isTerminatedComplete()).isTrue();
        assertThat(reportedWhenAnswered).as("the answer waits for no report").isEmpty();
        assertThat(metrics.coldStartPhases).containsExactly("web:QUEUED:0", "web:VM_START:700", "web:READINESS:300",
                "web:ANSWER:0");
        assertThat(metrics.bootDurations).as("queued + vm-start + readiness").containsExactly("web:1000");

        // a warm request reports no phase; the next cold start reports its own
        ask("web");
        assertThat(metrics.coldStartPhases).hasSize(4);
    }

    @Test
    void aBootThatWaitsForABootSlotRecordsTheWaitAsQueued() {
        start(new BootLimits(1, 8, 100), service("first", "192.0.2.10", after(700), readyAfter(300)),
                service("second", "192.0.2.11", after(200), readyAfter(100)));
        TestSubscriber<Endpoints> first = ask("first");
        TestSubscriber<Endpoints> second = ask("second");

        timer.advanceTimeBy(Duration.ofMillis(1000));
        assertThat(first.isTerminatedComplete()).isTrue();
        assertThat(second.isTerminated()).isFalse();
        timer.advanceTimeBy(Duration.ofMillis(300));

        assertThat(second.isTerminatedComplete()).isTrue();
        assertThat(metrics.coldStartPhases).containsExactly(
                "first:QUEUED:0", "first:VM_START:700", "first:READINESS:300", "first:ANSWER:0",
                "second:QUEUED:1000", "second:VM_START:200", "second:READINESS:100", "second:ANSWER:0");
        assertThat(metrics.bootDurations).containsExactly("first:1000", "second:1300");
    }

    @Test
    void aFailedReadinessRecordsTheQueueAndTheVmStartOnly() {
        start(BootLimits.DEFAULT, service("web", "192.0.2.10", after(500), refusedAfter(200)));
        TestSubscriber<Endpoints> waiter = ask("web");

        timer.advanceTimeBy(Duration.ofMillis(700));

        assertThat(((ServiceUnavailableException) waiter.expectTerminalError()).reason()).isEqualTo(Reason.BOOT_FAILED);
        assertThat(metrics.failed).hasValue(1);
        assertThat(metrics.coldStartPhases).containsExactly("web:QUEUED:0", "web:VM_START:500");
    }

    @Test
    void aVmThatFailsToStartRecordsTheQueueOnly() {
        start(BootLimits.DEFAULT, service("web", "192.0.2.10",
                after(400).then(Mono.error(new BackendException("web", "spawn-failed", "exec failed"))),
                readyAfter(100)));
        TestSubscriber<Endpoints> waiter = ask("web");

        timer.advanceTimeBy(Duration.ofMillis(400));

        assertThat(waiter.expectTerminalError()).isInstanceOf(ServiceUnavailableException.class);
        assertThat(metrics.coldStartPhases).containsExactly("web:QUEUED:0");
    }

    @Test
    void aBootThatTimesOutInTheQueueRecordsNothingAndTheOneThatHeldTheSlotItsQueue() {
        start(new BootLimits(1, 8, 100), service("first", "192.0.2.10", Duration.ofSeconds(10), Mono.never()),
                service("second", "192.0.2.11", Duration.ofSeconds(5), after(10)));
        TestSubscriber<Endpoints> first = ask("first");
        TestSubscriber<Endpoints> second = ask("second");

        timer.advanceTimeBy(Duration.ofSeconds(5)); // the second's boot timeout, still waiting for the slot
        assertThat(((ServiceUnavailableException) second.expectTerminalError()).reason())
                .isEqualTo(Reason.BOOT_TIMED_OUT);
        assertThat(metrics.coldStartPhases).isEmpty();
        timer.advanceTimeBy(Duration.ofSeconds(5)); // the first's, in its VM start

        assertThat(((ServiceUnavailableException) first.expectTerminalError()).reason())
                .isEqualTo(Reason.BOOT_TIMED_OUT);
        assertThat(metrics.timedOut).hasValue(2);
        assertThat(metrics.coldStartPhases).as("second never called its backend").containsExactly("first:QUEUED:0");
    }

    private static InetAddress ip(String literal) {
        return IpLiteral.parse(literal).orElseThrow();
    }
}
