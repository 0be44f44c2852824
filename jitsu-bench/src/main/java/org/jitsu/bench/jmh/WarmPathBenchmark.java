package org.jitsu.bench.jmh;

import java.time.Duration;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The warm path without sockets or bytes: {@code QueryPipeline.resolve} for an A query of a running
 * service, answer taken synchronously, cycling over 10 running services of a pipeline that manages
 * {@code services} names (10 or 100,000: the index must not slow down with size). The {@link Query}
 * is built per operation, as the front end does.
 *
 * <pre>{@code ./jitsu bench --jmh WarmPathBenchmark -prof gc}</pre>
 */
public class WarmPathBenchmark extends JitsuBenchmark {
    @Param({"10", "100000"})
    public int services;

    private OnDemandPipeline pipeline;
    private final Capture<Answer> capture = new Capture<>();
    private final org.jitsu.server.dns.authority.DomainName[] names = new org.jitsu.server.dns.authority.DomainName[10];
    private int next;

    @Setup
    public void setUp() {
        ScriptedBackend backend = ScriptedBackend.named("instant");
        pipeline = Fixtures.pipeline(backend, services, BootLimits.DEFAULT);
        for (int i = 0; i < names.length; i++) {
            int s = i * (services / names.length);
            names[i] = Fixtures.name(s);
            // boot it once: from then on it is warm
            Answer a = pipeline.resolve(new Query(names[i], RecordType.A, Fixtures.CLIENT, Transport.UDP))
                    .block(Duration.ofSeconds(10));
            if (!(a instanceof Answer.Found)) {
                throw new IllegalStateException("not found: " + names[i] + " " + a);
            }
        }
    }

    @TearDown
    public void tearDown() {
        pipeline.close();
    }

    /** One warm query, resolved to its prebuilt answer. */
    @Benchmark
    public Answer resolveWarm() {
        int i = next;
        next = i == names.length - 1 ? 0 : i + 1;
        pipeline.resolve(new Query(names[i], RecordType.A, Fixtures.CLIENT, Transport.UDP)).subscribe(capture);
        return capture.take();
    }
}
