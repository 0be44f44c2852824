package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.zone;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The warm path (name of a running service, and static answers) hands out prebuilt answers: it must
 * allocate nothing per query. Measured with the JVM's per-thread allocation counter, not with time.
 */
@Tag("fast")
class WarmPathAllocationTest {
    private static final int QUERIES = 200_000;

    @Test
    void warmAndStaticAnswersAllocateNothingPerQuery() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        ScriptedVm vm = ScriptedBackend.named("fake").vm("web").setState(VmState.RUNNING);
        try (OnDemandPipeline pipeline = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("web", vm).build()))
                .timer(timer)
                .build()) {
            pipeline.start().block(VERIFY_TIMEOUT);
            List<Query> queries = List.of(query("web.example.test", RecordType.A),
                    query("web.example.test", RecordType.AAAA), query("static.example.test", RecordType.A),
                    query("example.test", RecordType.NS));
            run(pipeline, queries); // warm up
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            int found = run(pipeline, queries);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;

            assertThat(found).isEqualTo(QUERIES / 4 * 3);
            assertThat(allocated).as("bytes allocated for %d queries", QUERIES).isLessThan(QUERIES);
            assertThat(vm.starts()).isZero();
        } finally {
            timer.dispose();
        }
    }

    /**
     * The contract the front end's fast path relies on: a warm answer is a scalar {@code Mono} (the front
     * end reads it synchronously, without subscribing), the same object every time, and so is the core's
     * {@code ensureRunning()} of a running service. A stage that wraps the Mono (a {@code map}, a
     * {@code doOnNext}) would keep the answers right and silently lose this; this test fails then. A cold
     * service's answer is not scalar: it completes once the boot is done.
     */
    @Test
    void aWarmAnswerStaysScalar() {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        ScriptedBackend backend = ScriptedBackend.named("fake");
        ScriptedVm web = backend.vm("web").setState(VmState.RUNNING);
        ScriptedVm cold = backend.vm("cold");
        try (OnDemandPipeline pipeline = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("web", web).build(), new Service("cold", cold).build()))
                .timer(timer)
                .build()) {
            pipeline.start().block(VERIFY_TIMEOUT);
            Mono<Answer> first = pipeline.resolve(query("web.example.test", RecordType.A));
            Mono<Answer> second = pipeline.resolve(query("web.example.test", RecordType.A));
            assertThat(first).isInstanceOf(Fuseable.ScalarCallable.class).isSameAs(second);
            assertThat(pipeline.resolve(query("static.example.test", RecordType.A)))
                    .isInstanceOf(Fuseable.ScalarCallable.class);
            ManagedService service = pipeline.core().service("web").orElseThrow();
            assertThat(service.ensureRunning()).isInstanceOf(Fuseable.ScalarCallable.class)
                    .isSameAs(service.ensureRunning());

            Mono<Answer> booting = pipeline.resolve(query("cold.example.test", RecordType.A));
            assertThat(booting).isNotInstanceOf(Fuseable.ScalarCallable.class);
            assertThat(Fixtures.assertFound(booting.block(VERIFY_TIMEOUT)).answers()).hasSize(1);
            assertThat(pipeline.resolve(query("cold.example.test", RecordType.A)))
                    .as("once it runs, the cold service's answer is scalar too")
                    .isInstanceOf(Fuseable.ScalarCallable.class);
        } finally {
            timer.dispose();
        }
    }

    private static int run(QueryPipeline pipeline, List<Query> queries) {
        int found = 0;
        for (int i = 0; i < QUERIES; i++) {
            Mono<Answer> answer = pipeline.resolve(queries.get(i & 3));
            // a prebuilt Mono.just hands out its value from block(timeout) without subscribing
            if (answer.block(VERIFY_TIMEOUT) instanceof Answer.Found) {
                found++;
            }
        }
        return found;
    }
}
