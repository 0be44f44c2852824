package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.started;
import static org.jitsu.server.dns.authority.Fixtures.subscribe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceJournal;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/**
 * What a boot does first and what it does after: the VM start is launched before the journal hears of
 * the boot, the waiters are answered before the journal (and the metrics) hear how it ended, and each
 * waiter's wait is still recorded, from its own arrival, once the answers are out.
 */
@Tag("fast")
class BootCompletionOrderTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final CountingMetrics metrics = new CountingMetrics();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private OnDemandPipeline pipeline;

    /** A journal that notes each change, with what the test says was true at that moment. */
    private final class NotingJournal implements ServiceJournal {
        private final Supplier<String> context;

        NotingJournal(Supplier<String> context) {
            this.context = context;
        }

        @Override
        public Optional<ServiceStatus> saved(String id) {
            return Optional.empty();
        }

        @Override
        public void changed(ServiceStatus status) {
            events.add("journal " + status.state() + " " + context.get());
        }
    }

    private OnDemandPipeline pipeline(ServiceJournal journal, NamedService... services) {
        pipeline = started(Fixtures.pipeline(timer, metrics, List.of(services)).journal(journal));
        return pipeline;
    }

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close();
        }
        timer.dispose();
    }

    @Test
    void theVmStartIsLaunchedBeforeTheJournalHearsOfTheBoot() {
        ScriptedVm vm = backend.vm("web");
        vm.startWith(Sinks.<Void>empty().asMono()); // never completes: the boot stays in flight
        pipeline(new NotingJournal(() -> "starts=" + vm.starts()), new Service("web", vm).build());

        subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));

        assertThat(events).containsExactly("journal BOOTING starts=1");
    }

    @Test
    void waitersAreAnsweredBeforeTheJournalAndTheMetricsHearTheBootSucceeded() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> start = Sinks.empty();
        vm.startWith(start.asMono());
        List<TestSubscriber<Answer>> waiters = new ArrayList<>();
        pipeline(new NotingJournal(() -> "answered=" + waiters.stream().filter(w -> w.isTerminated()).count()
                + " succeeded=" + metrics.succeeded.get()), new Service("web", vm).build());
        for (int i = 0; i < 3; i++) {
            waiters.add(subscribe(pipeline.resolve(query("web.example.test", RecordType.A))));
        }

        start.tryEmitEmpty();

        assertThat(waiters).allSatisfy(w -> {
            assertThat(w.isTerminatedComplete()).isTrue();
            assertThat(w.getReceivedOnNext()).singleElement().isInstanceOf(Answer.Found.class);
        });
        assertThat(events).containsExactly("journal BOOTING answered=0 succeeded=0",
                "journal RUNNING answered=3 succeeded=1");
        assertThat(pipeline.core().status("web").orElseThrow().state()).isEqualTo(State.RUNNING);
    }

    @Test
    void waitersGetTheirServerFailureBeforeTheJournalHearsTheBootFailed() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> start = Sinks.empty();
        vm.startWith(start.asMono());
        List<TestSubscriber<Answer>> waiters = new ArrayList<>();
        pipeline(new NotingJournal(() -> "answered=" + waiters.stream().filter(w -> w.isTerminated()).count()
                + " failed=" + metrics.failed.get()), new Service("web", vm).build());
        for (int i = 0; i < 2; i++) {
            waiters.add(subscribe(pipeline.resolve(query("web.example.test", RecordType.A))));
        }

        start.tryEmitError(new BackendException("web", "spawn-failed", "exec failed"));

        assertThat(waiters).allSatisfy(w ->
                assertThat(w.getReceivedOnNext()).singleElement().isInstanceOf(Answer.ServerFailure.class));
        // the failed boot's VM is destroyed afterwards (STOPPING, then STOPPED)
        assertThat(events).startsWith("journal BOOTING answered=0 failed=0", "journal STOPPING answered=2 failed=1");
        assertThat(metrics.coldWaits).containsExactly("web:0:false", "web:0:false");
    }

    @Test
    void eachWaitIsRecordedFromItsOwnArrivalAndCancelledWaitersAreNot() {
        ScriptedVm vm = backend.vm("web");
        vm.startWith(Mono.delay(Duration.ofMillis(1000), timer).then());
        pipeline(ServiceJournal.NONE, new Service("web", vm).build());
        Query q = query("web.example.test", RecordType.A);

        TestSubscriber<Answer> first = subscribe(pipeline.resolve(q));
        timer.advanceTimeBy(Duration.ofMillis(300));
        TestSubscriber<Answer> second = subscribe(pipeline.resolve(q));
        Disposable gone = pipeline.resolve(q).subscribe();
        timer.advanceTimeBy(Duration.ofMillis(100));
        gone.dispose();
        assertThat(metrics.coldWaits).isEmpty();

        timer.advanceTimeBy(Duration.ofMillis(600));

        assertThat(first.getReceivedOnNext()).singleElement().isInstanceOf(Answer.Found.class);
        assertThat(second.getReceivedOnNext()).singleElement().isInstanceOf(Answer.Found.class);
        assertThat(metrics.coldWaits).containsExactly("web:1000:true", "web:700:true");
        assertThat(metrics.joined).hasValue(2);
    }
}
