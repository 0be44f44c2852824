package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.zone;

import ch.qos.logback.classic.Level;
import java.time.Duration;
import java.util.List;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.jitsu.server.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/** Idle stops, suspend, adoption at start-up, backend events and close, on virtual time. */
@Tag("fast")
class LifecycleTest {
    private static final Query WEB_A = query("web.example.test", RecordType.A);

    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final ScriptedVm vm = backend.vm("web");
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandPipeline pipeline;

    private void start(Service service) {
        pipeline = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(service.idleTimeout(Duration.ofSeconds(60)).build()))
                .timer(timer)
                .metrics(metrics)
                .build();
        pipeline.start().block(VERIFY_TIMEOUT);
    }

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close();
        }
        timer.dispose();
    }

    private State state() {
        return pipeline.core().status("web").orElseThrow().state();
    }

    @Test
    void idleServiceIsStoppedAfterIdleTimeoutAndNotBefore() {
        start(new Service("web", vm));
        assertFound(resolve(pipeline, WEB_A));
        assertThat(state()).isEqualTo(State.RUNNING);

        try (LogCapture logs = new LogCapture(LogCapture.CORE_SERVICES)) {
            timer.advanceTimeBy(Duration.ofSeconds(59));
            assertThat(vm.stops()).isEmpty();
            assertThat(state()).isEqualTo(State.RUNNING);

            timer.advanceTimeBy(Duration.ofSeconds(1));
            assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
            assertThat(state()).isEqualTo(State.STOPPED);
            assertThat(metrics.stops).containsExactly("web:destroy:idle");
            assertThat(logs.events()).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.INFO);
                assertThat(e.getFormattedMessage()).contains("web", "destroy", "idle 60000 ms", "ok");
            });
        }
        // stays stopped; nothing more happens on later ticks
        timer.advanceTimeBy(Duration.ofSeconds(60));
        assertThat(vm.stops()).hasSize(1);
    }

    @Test
    void aQueryResetsTheIdleClock() {
        start(new Service("web", vm));
        assertFound(resolve(pipeline, WEB_A));
        timer.advanceTimeBy(Duration.ofSeconds(30));
        assertFound(resolve(pipeline, WEB_A));
        timer.advanceTimeBy(Duration.ofSeconds(59));
        assertThat(vm.stops()).isEmpty();
        timer.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(vm.starts()).isEqualTo(1);
    }

    @Test
    void aQueryOfATypeWithoutRecordsAlsoResetsTheIdleClock() {
        start(new Service("web", vm));
        assertFound(resolve(pipeline, WEB_A));
        timer.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(resolve(pipeline, query("web.example.test", RecordType.AAAA))).isInstanceOf(Answer.NoData.class);
        timer.advanceTimeBy(Duration.ofSeconds(55));
        assertThat(vm.stops()).isEmpty();
    }

    @Test
    void aQueryDuringAStopWaitsForItAndThenBootsAgain() {
        Sinks.Empty<Void> stopped = Sinks.empty();
        vm.stopWith(stopped.asMono());
        start(new Service("web", vm));
        assertFound(resolve(pipeline, WEB_A));
        timer.advanceTimeBy(Duration.ofSeconds(60));
        assertThat(state()).isEqualTo(State.STOPPING);

        TestSubscriber<Answer> waiter = TestSubscriber.create();
        pipeline.resolve(WEB_A).subscribe(waiter);
        assertThat(waiter.getReceivedOnNext()).as("no address of a service going away").isEmpty();
        assertThat(vm.starts()).isEqualTo(1);

        stopped.tryEmitEmpty();
        assertThat(waiter.isTerminatedComplete()).isTrue();
        assertFound(waiter.getReceivedOnNext().get(0));
        assertThat(vm.starts()).isEqualTo(2);
        assertThat(state()).isEqualTo(State.RUNNING);
    }

    @Test
    void suspendModeSuspendsAndTheNextQueryResumes() {
        start(new Service("web", vm).stopMode(StopMode.SUSPEND));
        assertFound(resolve(pipeline, WEB_A));
        timer.advanceTimeBy(Duration.ofSeconds(60));
        assertThat(vm.stops()).containsExactly(StopMode.SUSPEND);
        assertThat(state()).isEqualTo(State.SUSPENDED);
        assertThat(metrics.stops).containsExactly("web:suspend:idle");

        assertFound(resolve(pipeline, WEB_A));
        assertThat(vm.starts()).isEqualTo(2);
        assertThat(state()).isEqualTo(State.RUNNING);
    }

    @Test
    void aVmRunningAtStartIsAdoptedAnsweredAtOnceAndStoppedOnlyAfterAFullIdlePeriod() {
        vm.setState(VmState.RUNNING);
        start(new Service("web", vm));
        assertThat(state()).isEqualTo(State.RUNNING);
        assertThat(pipeline.core().status("web").orElseThrow().lastQuery()).isEmpty();

        assertFound(resolve(pipeline, WEB_A));
        assertThat(vm.starts()).isZero();
        assertThat(metrics.warmHits).hasValue(1);

        // a query at t=0 and the adoption at t=0: stopped at t=60 s, not on the first tick
        timer.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(vm.stops()).isEmpty();
        timer.advanceTimeBy(Duration.ofSeconds(55));
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
    }

    @Test
    void aQueryBeforeTheAdoptionCheckIsAnsweredThroughAStartThatLeavesTheRunningVmRunning() {
        // the listeners are bound while the adoption check runs: a query may come first
        vm.setState(VmState.RUNNING);
        pipeline = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("web", vm).idleTimeout(Duration.ofSeconds(60)).build()))
                .timer(timer)
                .metrics(metrics)
                .build();
        assertFound(resolve(pipeline, WEB_A));
        assertThat(vm.starts()).as("Vm.start() on a running VM: it makes it run, i.e. leaves it running").isEqualTo(1);
        assertThat(state()).isEqualTo(State.RUNNING);

        pipeline.start().block(VERIFY_TIMEOUT); // the adoption check, later: changes nothing
        assertThat(state()).isEqualTo(State.RUNNING);
        assertThat(vm.starts()).isEqualTo(1);
        assertFound(resolve(pipeline, WEB_A));
        assertThat(vm.starts()).as("answered warm").isEqualTo(1);
    }

    @Test
    void aPausedVmAtStartIsSuspended() {
        vm.setState(VmState.PAUSED);
        start(new Service("web", vm));
        assertThat(state()).isEqualTo(State.SUSPENDED);
    }

    @Test
    void aVmThatCrashesWhileRunningIsBootedByTheNextQuery() {
        vm.setState(VmState.RUNNING);
        start(new Service("web", vm));
        backend.emit("web", VmState.CRASHED, "exited with status 1");
        assertThat(state()).isEqualTo(State.STOPPED);

        assertFound(resolve(pipeline, WEB_A));
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(state()).isEqualTo(State.RUNNING);
    }

    @Test
    void eventsDuringABootAreIgnored() {
        Sinks.Empty<Void> started = Sinks.empty();
        vm.startWith(started.asMono());
        start(new Service("web", vm));
        TestSubscriber<Answer> waiter = TestSubscriber.create();
        pipeline.resolve(WEB_A).subscribe(waiter);
        backend.emit("web", VmState.STOPPED, "not yet created");
        assertThat(state()).isEqualTo(State.BOOTING);
        started.tryEmitEmpty();
        assertFound(waiter.getReceivedOnNext().get(0));
        assertThat(state()).isEqualTo(State.RUNNING);
    }

    @Test
    void aVmThatStopsWhileItsReadinessIsCheckedFailsTheBootAtOnce() {
        start(new Service("web", vm).readiness(v -> Mono.never()).bootTimeout(Duration.ofSeconds(30)));
        TestSubscriber<Answer> waiter = TestSubscriber.create();
        pipeline.resolve(WEB_A).subscribe(waiter);
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(waiter.getReceivedOnNext()).as("still waiting for readiness").isEmpty();

        backend.emit("web", VmState.CRASHED, "exited with status 1");

        // no virtual time passed: the failure did not wait for the 30 s boot timeout
        assertThat(waiter.getReceivedOnNext()).singleElement().isInstanceOfSatisfying(Answer.ServerFailure.class,
                f -> assertThat(f.reason()).contains("web", "exited with status 1"));
        assertThat(vm.stops()).as("the half-started VM is destroyed").containsExactly(StopMode.DESTROY);
        assertThat(pipeline.core().status("web").orElseThrow().failures()).isEqualTo(1);
    }

    @Test
    void aFailedStopKeepsTheServiceRunningWhileTheVmRunsAndRetriesOnTheNextTick() {
        vm.stopWith(Mono.error(new BackendException("web", "busy", "domain busy")));
        start(new Service("web", vm));
        assertFound(resolve(pipeline, WEB_A));
        try (LogCapture logs = new LogCapture(LogCapture.CORE_SERVICES)) {
            timer.advanceTimeBy(Duration.ofSeconds(60));
            assertThat(vm.stops()).hasSize(1);
            assertThat(state()).isEqualTo(State.RUNNING);
            assertThat(logs.events()).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("web", "domain busy");
            });
        }
        timer.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(vm.stops()).hasSize(2);

        // the VM went away although the stop reported an error: believe the backend's state
        vm.stopWith(Mono.defer(() -> {
            vm.setState(VmState.STOPPED);
            return Mono.error(new BackendException("web", "lost", "connection lost"));
        }));
        timer.advanceTimeBy(Duration.ofSeconds(5));
        assertThat(vm.stops()).hasSize(3);
        assertThat(state()).isEqualTo(State.STOPPED);
        assertThat(metrics.stops).isEmpty();
    }

    @Test
    void closeStopsTheIdleChecksAndTheEventSubscriptions() {
        start(new Service("web", vm));
        assertThat(backend.eventSubscribers()).isEqualTo(1);
        assertFound(resolve(pipeline, WEB_A));
        pipeline.close();
        assertThat(backend.eventSubscribers()).isZero();
        timer.advanceTimeBy(Duration.ofSeconds(120));
        assertThat(vm.stops()).isEmpty();
        assertThat(state()).isEqualTo(State.RUNNING);
    }
}
