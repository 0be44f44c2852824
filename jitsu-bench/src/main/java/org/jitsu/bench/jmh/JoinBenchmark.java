package org.jitsu.bench.jmh;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code queries} concurrent queries joining one boot: the service is reported stopped, its start is
 * held back, {@code queries} A queries are issued (the first creates the boot, the others join it),
 * the start is released, and the operation ends when every query has its answer. Fails if a boot
 * other than exactly one happened per operation. Time per operation / {@code queries} = cost of a join.
 *
 * <pre>{@code ./jitsu bench --jmh JoinBenchmark -p queries=1000}</pre>
 */
public class JoinBenchmark extends JitsuBenchmark {
    @Param({"1", "100", "1000"})
    public int queries;

    private ScriptedBackend backend;
    private OnDemandPipeline pipeline;
    private final DomainName name = Fixtures.name(0);

    @Setup
    public void setUp() {
        backend = ScriptedBackend.named("instant");
        pipeline = Fixtures.pipeline(backend, 10, new BootLimits(8, 1024, 100_000));
    }

    @TearDown
    public void tearDown() {
        pipeline.close();
    }

    /** N queries on one boot, all answered. */
    @Benchmark
    public long joinOneBoot() throws InterruptedException {
        backend.kill("s0");
        backend.gate();
        long before = backend.starts();
        CountDownLatch answered = new CountDownLatch(queries);
        for (int i = 0; i < queries; i++) {
            pipeline.resolve(new Query(name, RecordType.A, Fixtures.CLIENT, Transport.UDP)).subscribe(a -> {
                if (a instanceof Answer.Found) {
                    answered.countDown();
                }
            });
        }
        backend.open();
        if (!answered.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every query was answered: " + answered.getCount() + " left");
        }
        long boots = backend.starts() - before;
        if (boots != 1) {
            throw new IllegalStateException(boots + " boots for one service");
        }
        return boots;
    }
}
