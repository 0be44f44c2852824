package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.zone;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.jitsu.backend.VmState;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The warm path (name of a running service, and static answers) hands out prebuilt answers: it must
 * allocate nothing per query. Measured with the JVM's per-thread allocation counter, not with time.
 */
class WarmPathAllocationTest {
    private static final int QUERIES = 200_000;

    @Test
    void warmAndStaticAnswersAllocateNothingPerQuery() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        FakeVm vm = new FakeBackend("fake").vm("web").setState(VmState.RUNNING);
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
