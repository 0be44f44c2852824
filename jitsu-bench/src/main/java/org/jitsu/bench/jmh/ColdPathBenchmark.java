package org.jitsu.bench.jmh;

import java.time.Duration;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Jitsu's own overhead on a boot: the instant backend reports the service stopped (as a backend does
 * when a VM dies), then an A query boots it (the VM start itself costs nothing: a map write) and
 * waits for the answer: boot creation, the boot gate, the boot timeout timer, the state changes and
 * the delivery of the answer. One operation = stop event + cold query + answer.
 *
 * <pre>{@code ./jitsu bench --jmh ColdPathBenchmark -prof gc}</pre>
 */
public class ColdPathBenchmark extends JitsuBenchmark {
    private ScriptedBackend backend;
    private OnDemandPipeline pipeline;
    private final DomainName name = Fixtures.name(0);

    @Setup
    public void setUp() {
        backend = ScriptedBackend.named("instant");
        pipeline = Fixtures.pipeline(backend, 10, BootLimits.DEFAULT);
    }

    @TearDown
    public void tearDown() {
        pipeline.close();
    }

    /** Stop event, then one cold query answered once the instant boot is done. */
    @Benchmark
    public Answer coldQuery() {
        backend.kill("s0");
        Answer a = pipeline.resolve(new Query(name, RecordType.A, Fixtures.CLIENT, Transport.UDP))
                .block(Duration.ofSeconds(5));
        if (!(a instanceof Answer.Found)) {
            throw new IllegalStateException("cold query answered " + a);
        }
        return a;
    }
}
