package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.zone;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/**
 * A query and the idle check that would stop the service at the same instant, on two threads: the
 * query may get the warm answer (and then the service must not be stopped) or wait for the stop and a
 * new boot, never both. A wrong implementation fails only sometimes; a right one never does.
 */
@Tag("fast")
class IdleRaceTest {
    private static final int ROUNDS = 300;
    private final ExecutorService querier = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() throws InterruptedException {
        querier.shutdownNow();
        assertThat(querier.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWarmAnswerAndAnIdleStopNeverOverlap() throws Exception {
        int warm = 0;
        int stopped = 0;
        for (int round = 0; round < ROUNDS; round++) {
            VirtualTimeScheduler timer = VirtualTimeScheduler.create();
            ScriptedBackend backend = ScriptedBackend.named("fake");
            ScriptedVm vm = backend.vm("web").setState(VmState.RUNNING).stopWith(Mono.never());
            try (OnDemandPipeline pipeline = OnDemandPipeline.builder()
                    .zones(List.of(zone()))
                    .services(List.of(new Service("web", vm).idleTimeout(Duration.ofSeconds(60)).build()))
                    .timer(timer)
                    .build()) {
                pipeline.start().block(VERIFY_TIMEOUT);
                timer.advanceTimeBy(Duration.ofSeconds(55));

                CyclicBarrier together = new CyclicBarrier(2);
                Future<TestSubscriber<Answer>> query = querier.submit(() -> {
                    together.await(5, TimeUnit.SECONDS);
                    TestSubscriber<Answer> s = TestSubscriber.create();
                    pipeline.resolve(query("web.example.test", RecordType.A)).subscribe(s);
                    return s;
                });
                together.await(5, TimeUnit.SECONDS);
                timer.advanceTimeBy(Duration.ofSeconds(5)); // the tick at 60 s
                TestSubscriber<Answer> answer = query.get(5, TimeUnit.SECONDS);

                boolean gotWarm = !answer.getReceivedOnNext().isEmpty();
                boolean stopBegan = !vm.stops().isEmpty();
                assertThat(gotWarm && stopBegan).as("round %d: warm answer for a service being stopped", round)
                        .isFalse();
                assertThat(gotWarm || stopBegan).as("round %d: neither answered nor stopped", round).isTrue();
                warm += gotWarm ? 1 : 0;
                stopped += stopBegan ? 1 : 0;
            } finally {
                timer.dispose();
            }
        }
        assertThat(warm + stopped).isEqualTo(ROUNDS);
    }
}
