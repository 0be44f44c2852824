package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.started;
import static org.jitsu.server.dns.authority.Fixtures.subscribe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.jitsu.server.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/** Booting cold services: sharing, failure, timeout, readiness, limits and cancellation. */
@Tag("fast")
class BootTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandPipeline pipeline;

    private OnDemandPipeline pipeline(BootLimits limits, NamedService... services) {
        pipeline = started(Fixtures.pipeline(timer, metrics, List.of(services)).bootLimits(limits));
        return pipeline;
    }

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close();
        }
        timer.dispose();
    }

    private State state(String id) {
        return pipeline.core().status(id).orElseThrow().state();
    }

    private static Answer single(TestSubscriber<Answer> subscriber) {
        assertThat(subscriber.isTerminatedComplete()).as("answered").isTrue();
        assertThat(subscriber.getReceivedOnNext()).hasSize(1);
        return subscriber.getReceivedOnNext().get(0);
    }

    @Test
    void thousandConcurrentQueriesShareOneBoot() throws InterruptedException {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> booted = Sinks.empty();
        vm.startWith(booted.asMono());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());

        Query q = query("web.example.test", RecordType.A);
        Mono<List<Answer>> all = Flux.range(0, 1000)
                .parallel(4)
                .runOn(Schedulers.parallel())
                .flatMap(i -> pipeline.resolve(q), false, 1000)
                .sequential()
                .collectList();
        StepVerifier.create(all)
                .then(() -> {
                    try {
                        assertThat(metrics.bootQueries.tryAcquire(1000, 5, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    assertThat(vm.starts()).isEqualTo(1);
                    assertThat(state("web")).isEqualTo(State.BOOTING);
                    booted.tryEmitEmpty();
                })
                .assertNext(answers -> {
                    assertThat(answers).hasSize(1000);
                    assertThat(answers).allSatisfy(a -> assertThat(assertFound(a).answers()).hasSize(1));
                })
                .expectComplete()
                .verify(VERIFY_TIMEOUT);
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(metrics.started).hasValue(1);
        assertThat(metrics.joined).hasValue(999);
        assertThat(pipeline.core().status("web").orElseThrow().boots()).isEqualTo(1);
    }

    @Test
    void bootFailureFailsEveryWaiterDestroysTheVmAndTheNextQueryBootsAgain() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> start = Sinks.empty();
        vm.startWith(start.asMono());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());
        Query q = query("web.example.test", RecordType.A);
        try (LogCapture logs = new LogCapture(LogCapture.CORE_SERVICES)) {
            List<TestSubscriber<Answer>> waiters = List.of(subscribe(pipeline.resolve(q)),
                    subscribe(pipeline.resolve(q)), subscribe(pipeline.resolve(q)));
            assertThat(waiters).allSatisfy(w -> assertThat(w.getReceivedOnNext()).isEmpty());

            start.tryEmitError(new BackendException("web", "spawn-failed", "exec failed"));

            for (TestSubscriber<Answer> w : waiters) {
                assertThat(single(w)).isInstanceOfSatisfying(Answer.ServerFailure.class,
                        f -> assertThat(f.reason()).contains("web").contains("spawn-failed"));
            }
            ILoggingEvent warn = logs.events().stream().filter(e -> e.getLevel() == Level.WARN).findFirst()
                    .orElseThrow();
            assertThat(warn.getFormattedMessage()).contains("web").contains("exec failed").doesNotContain("\n");
            assertThat(warn.getThrowableProxy()).isNull();
        }
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(metrics.stops).containsExactly("web:destroy:failed-boot");
        assertThat(state("web")).isEqualTo(State.STOPPED);
        assertThat(pipeline.core().status("web").orElseThrow().failures()).isEqualTo(1);

        vm.startWith(Mono.empty());
        assertFound(resolve(pipeline, q));
        assertThat(vm.starts()).isEqualTo(2);
        assertThat(state("web")).isEqualTo(State.RUNNING);
    }

    @Test
    void bootTimeoutAnswersServerFailureAndDestroysTheVm() {
        ScriptedVm vm = backend.vm("web");
        AtomicBoolean startCancelled = new AtomicBoolean();
        vm.startWith(Mono.<Void>never().doOnCancel(() -> startCancelled.set(true)));
        pipeline(BootLimits.DEFAULT, new Service("web", vm).bootTimeout(Duration.ofSeconds(10)).build());

        TestSubscriber<Answer> waiter = subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        timer.advanceTimeBy(Duration.ofMillis(9_999));
        assertThat(waiter.getReceivedOnNext()).isEmpty();
        assertThat(state("web")).isEqualTo(State.BOOTING);

        timer.advanceTimeBy(Duration.ofMillis(1));
        assertThat(single(waiter)).isInstanceOfSatisfying(Answer.ServerFailure.class,
                f -> assertThat(f.reason()).contains("timed out"));
        assertThat(startCancelled).isTrue();
        assertThat(metrics.timedOut).hasValue(1);
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(state("web")).isEqualTo(State.STOPPED);
    }

    @Test
    void aReadinessCheckThatNeverCompletesTimesOut() {
        ScriptedVm vm = backend.vm("web");
        AtomicBoolean checkCancelled = new AtomicBoolean();
        ReadinessCheck never = v -> Mono.<Void>never().doOnCancel(() -> checkCancelled.set(true));
        pipeline(BootLimits.DEFAULT, new Service("web", vm).readiness(never).bootTimeout(Duration.ofSeconds(3)).build());

        TestSubscriber<Answer> waiter = subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        assertThat(vm.starts()).isEqualTo(1);
        timer.advanceTimeBy(Duration.ofMillis(2_999));
        assertThat(waiter.getReceivedOnNext()).isEmpty();
        timer.advanceTimeBy(Duration.ofMillis(1));
        assertThat(single(waiter)).isInstanceOf(Answer.ServerFailure.class);
        assertThat(checkCancelled).isTrue();
        assertThat(metrics.timedOut).hasValue(1);
    }

    @Test
    void readinessChecksRunInOrderAfterStartAndTheAnswerWaitsForTheLast() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> start = Sinks.empty();
        Sinks.Empty<Void> first = Sinks.empty();
        Sinks.Empty<Void> second = Sinks.empty();
        List<String> calls = new CopyOnWriteArrayList<>();
        ReadinessCheck one = v -> {
            calls.add("one:" + v.id());
            return first.asMono();
        };
        ReadinessCheck two = v -> {
            calls.add("two:" + v.id());
            return second.asMono();
        };
        vm.startWith(start.asMono());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).readiness(one, two).build());

        TestSubscriber<Answer> waiter = subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        assertThat(calls).isEmpty();
        start.tryEmitEmpty();
        assertThat(calls).containsExactly("one:web");
        first.tryEmitEmpty();
        assertThat(calls).containsExactly("one:web", "two:web");
        assertThat(waiter.getReceivedOnNext()).isEmpty();
        second.tryEmitEmpty();
        assertFound(single(waiter));
        assertThat(state("web")).isEqualTo(State.RUNNING);
    }

    @Test
    void boundedQueueRejectsAtOnceAndAQueuedBootThatTimesOutLeavesTheQueue() {
        ScriptedVm a = backend.vm("a").startWith(Mono.never());
        Sinks.Empty<Void> bStart = Sinks.empty();
        ScriptedVm b = backend.vm("b").startWith(bStart.asMono());
        ScriptedVm c = backend.vm("c").startWith(Mono.never());
        pipeline(new BootLimits(1, 1, 100),
                new Service("a", a).bootTimeout(Duration.ofSeconds(60)).build(),
                new Service("b", b).bootTimeout(Duration.ofSeconds(10)).build(),
                new Service("c", c).bootTimeout(Duration.ofSeconds(60)).build());

        TestSubscriber<Answer> qa = subscribe(pipeline.resolve(query("a.example.test", RecordType.A)));
        TestSubscriber<Answer> qb = subscribe(pipeline.resolve(query("b.example.test", RecordType.A)));
        assertThat(a.starts()).isEqualTo(1);
        assertThat(b.starts()).as("queued behind a").isZero();

        // the third distinct cold service finds the queue full: SERVFAIL at once, nothing started
        assertThat(resolve(pipeline, query("c.example.test", RecordType.A)))
                .isInstanceOfSatisfying(Answer.ServerFailure.class, f -> assertThat(f.reason()).contains("queue"));
        assertThat(metrics.rejected).hasValue(1);
        assertThat(c.starts()).isZero();
        assertThat(state("c")).isEqualTo(State.STOPPED);

        // b's boot timeout covers its wait in the queue
        timer.advanceTimeBy(Duration.ofSeconds(10));
        assertThat(single(qb)).isInstanceOf(Answer.ServerFailure.class);
        assertThat(b.starts()).isZero();
        assertThat(b.stops()).as("never started, nothing to destroy").isEmpty();
        assertThat(state("b")).isEqualTo(State.STOPPED);
        assertThat(qa.getReceivedOnNext()).isEmpty();

        // the queue has room again: c queues behind a and starts when a's slot frees
        TestSubscriber<Answer> qc = subscribe(pipeline.resolve(query("c.example.test", RecordType.A)));
        assertThat(c.starts()).isZero();
        assertThat(metrics.rejected).hasValue(1);
        timer.advanceTimeBy(Duration.ofSeconds(50));
        assertThat(single(qa)).isInstanceOf(Answer.ServerFailure.class);
        assertThat(c.starts()).isEqualTo(1);
        assertThat(qc.getReceivedOnNext()).isEmpty();
        assertThat(metrics.maxRunning).isEqualTo(1);
    }

    @Test
    void queuedBootStartsWhenTheRunningOneSucceeds() {
        Sinks.Empty<Void> aStart = Sinks.empty();
        ScriptedVm a = backend.vm("a").startWith(aStart.asMono());
        ScriptedVm b = backend.vm("b");
        pipeline(new BootLimits(1, 1, 100), new Service("a", a).build(), new Service("b", b).build());

        TestSubscriber<Answer> qa = subscribe(pipeline.resolve(query("a.example.test", RecordType.A)));
        TestSubscriber<Answer> qb = subscribe(pipeline.resolve(query("b.example.test", RecordType.A)));
        assertThat(b.starts()).isZero();
        aStart.tryEmitEmpty();
        assertFound(single(qa));
        assertFound(single(qb));
        assertThat(b.starts()).isEqualTo(1);
    }

    @Test
    void maxWaitersPerBootIsRespected() {
        Sinks.Empty<Void> start = Sinks.empty();
        ScriptedVm vm = backend.vm("web").startWith(start.asMono());
        pipeline(new BootLimits(1, 0, 2), new Service("web", vm).build());
        Query q = query("web.example.test", RecordType.A);

        TestSubscriber<Answer> first = subscribe(pipeline.resolve(q));
        TestSubscriber<Answer> second = subscribe(pipeline.resolve(q));
        assertThat(resolve(pipeline, q)).isInstanceOfSatisfying(Answer.ServerFailure.class,
                f -> assertThat(f.reason()).contains("maxWaitersPerBoot=2"));
        // a waiter that leaves frees its place
        second.cancel();
        TestSubscriber<Answer> third = subscribe(pipeline.resolve(q));
        assertThat(third.getReceivedOnNext()).isEmpty();

        start.tryEmitEmpty();
        assertFound(single(first));
        assertFound(single(third));
        assertThat(vm.starts()).isEqualTo(1);
    }

    @Test
    void aWaiterCancellingDoesNotCancelTheBoot() {
        Sinks.Empty<Void> start = Sinks.empty();
        AtomicBoolean startCancelled = new AtomicBoolean();
        ScriptedVm vm = backend.vm("web").startWith(start.asMono().doOnCancel(() -> startCancelled.set(true)));
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());
        Query q = query("web.example.test", RecordType.A);

        TestSubscriber<Answer> leaving = subscribe(pipeline.resolve(q));
        TestSubscriber<Answer> staying = subscribe(pipeline.resolve(q));
        leaving.cancel();
        assertThat(startCancelled).isFalse();

        start.tryEmitEmpty();
        assertFound(single(staying));
        assertThat(leaving.getReceivedOnNext()).isEmpty();
        assertThat(state("web")).isEqualTo(State.RUNNING);
        assertThat(vm.starts()).isEqualTo(1);
    }

    @Test
    void noDataQueryForAStoppedServiceStartsABackgroundBootAndAnswersAtOnce() {
        Sinks.Empty<Void> start = Sinks.empty();
        ScriptedVm vm = backend.vm("web").startWith(start.asMono());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());

        assertThat(resolve(pipeline, query("web.example.test", RecordType.AAAA)))
                .isEqualTo(new Answer.NoData(Fixtures.SOA.forNegativeAnswer()));
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(state("web")).isEqualTo(State.BOOTING);

        // the address query joins the boot the NoData query started
        TestSubscriber<Answer> a = subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        assertThat(resolve(pipeline, query("web.example.test", 16))).isInstanceOf(Answer.NoData.class);
        assertThat(metrics.started).hasValue(1);
        assertThat(metrics.joined).hasValue(1);
        start.tryEmitEmpty();
        assertFound(single(a));
        assertThat(vm.starts()).isEqualTo(1);
    }

    @Test
    void suspendedServiceIsResumedWithStart() {
        ScriptedVm vm = backend.vm("web").setState(org.jitsu.backend.VmState.PAUSED);
        pipeline(BootLimits.DEFAULT, new Service("web", vm).stopMode(StopMode.SUSPEND).build());
        assertThat(state("web")).isEqualTo(State.SUSPENDED);
        assertFound(resolve(pipeline, query("web.example.test", RecordType.A)));
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(state("web")).isEqualTo(State.RUNNING);
    }

    @Test
    void statusReportsTheBootOnVirtualTime() {
        ScriptedVm vm = backend.vm("web").startWith(Mono.delay(Duration.ofSeconds(2), timer).then());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());
        timer.advanceTimeBy(Duration.ofSeconds(1));

        TestSubscriber<Answer> waiter = subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        ServiceStatus booting = pipeline.core().status("web").orElseThrow();
        assertThat(booting.state()).isEqualTo(State.BOOTING);
        assertThat(booting.since()).isEqualTo(java.time.Instant.ofEpochMilli(1_000));
        assertThat(booting.lastQuery()).contains(java.time.Instant.ofEpochMilli(1_000));

        timer.advanceTimeBy(Duration.ofSeconds(2));
        assertFound(single(waiter));
        ServiceStatus running = pipeline.core().status("web").orElseThrow();
        assertThat(running.state()).isEqualTo(State.RUNNING);
        assertThat(running.since()).isEqualTo(java.time.Instant.ofEpochMilli(3_000));
        assertThat(running.boots()).isEqualTo(1);
        assertThat(running.failures()).isZero();
        assertThat(running.lastBootMillis()).contains(2_000L);
        assertThat(pipeline.core().statuses()).extracting(ServiceStatus::id).containsExactly("web");
        assertThat(pipeline.core().status("nope")).isEmpty();
        assertThat(metrics.succeeded).hasValue(1);
    }

    @Test
    void anUnexpectedExceptionIsAServerFailureWithItsStackTraceLogged() {
        ScriptedVm vm = backend.vm("web");
        ReadinessCheck broken = v -> {
            throw new IllegalStateException("bug in a check");
        };
        pipeline(BootLimits.DEFAULT, new Service("web", vm).readiness(broken).build());
        try (LogCapture logs = new LogCapture(LogCapture.CORE_SERVICES)) {
            assertThat(resolve(pipeline, query("web.example.test", RecordType.A)))
                    .isInstanceOfSatisfying(Answer.ServerFailure.class,
                            f -> assertThat(f.reason()).contains("bug in a check"));
            assertThat(logs.events()).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getThrowableProxy()).isNotNull();
            });
        }
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
    }

    @Test
    void aQueryDuringTheDestroyOfAFailedBootWaitsAndBootsAgain() {
        ScriptedVm vm = backend.vm("web").startWith(Mono.error(new BackendException("web", "boom", "boom")));
        Sinks.Empty<Void> destroyed = Sinks.empty();
        vm.stopWith(destroyed.asMono());
        pipeline(BootLimits.DEFAULT, new Service("web", vm).build());
        Query q = query("web.example.test", RecordType.A);

        assertThat(resolve(pipeline, q)).isInstanceOf(Answer.ServerFailure.class);
        assertThat(state("web")).isEqualTo(State.STOPPING);
        vm.startWith(Mono.empty());
        TestSubscriber<Answer> next = subscribe(pipeline.resolve(q));
        assertThat(vm.starts()).as("not while the half-started VM is being destroyed").isEqualTo(1);
        destroyed.tryEmitEmpty();
        assertFound(single(next));
        assertThat(vm.starts()).isEqualTo(2);
    }
}
