package org.jitsu.bench.jmh;

import java.time.Duration;
import java.util.List;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.Admission;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.TemplateInstances;
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
 * Template instances against fixed names, in one run, without sockets: {@code warmFixed} and
 * {@code warmInstance} resolve an A query of a running fixed service and of a running template
 * instance (cycling over 10 of each); {@code newInstance} resolves a name never asked before (the
 * template admits it, defines its VM on an instant backend, boots it, answers) and then stops it, so
 * that at the cap of 10,000 known instances each new one also forgets the instance stopped longest:
 * the steady state of a stream of distinct names.
 *
 * <pre>{@code ./jitsu bench --jmh TemplateBenchmark}</pre>
 */
public class TemplateBenchmark extends JitsuBenchmark {
    private OnDemandPipeline pipeline;
    private TemplateInstances pages;
    private final Capture<Answer> capture = new Capture<>();
    private final DomainName[] fixed = new DomainName[10];
    private final DomainName[] instances = new DomainName[10];
    private int next;
    private long fresh;

    @Setup
    public void setUp() {
        ScriptedBackend backend = ScriptedBackend.named("instant");
        pipeline = Fixtures.pipeline(backend, 10, BootLimits.DEFAULT, List.of(Fixtures.pages(backend, 10_000, 10_000)));
        pages = pipeline.core().template("pages").orElseThrow();
        for (int i = 0; i < 10; i++) {
            fixed[i] = Fixtures.name(i);
            instances[i] = DomainName.of("w" + i + ".pages.bench.test");
            found(fixed[i]);
            found(instances[i]);
        }
    }

    private void found(DomainName name) {
        Answer a = pipeline.resolve(new Query(name, RecordType.A, Fixtures.CLIENT, Transport.UDP))
                .block(Duration.ofSeconds(10));
        if (!(a instanceof Answer.Found)) {
            throw new IllegalStateException("not found: " + name + " " + a);
        }
    }

    @TearDown
    public void tearDown() {
        pipeline.close();
    }

    @Benchmark
    public Answer warmFixed() {
        return resolve(fixed);
    }

    @Benchmark
    public Answer warmInstance() {
        return resolve(instances);
    }

    private Answer resolve(DomainName[] names) {
        int i = next;
        next = i == names.length - 1 ? 0 : i + 1;
        pipeline.resolve(new Query(names[i], RecordType.A, Fixtures.CLIENT, Transport.UDP)).subscribe(capture);
        return capture.take();
    }

    @Benchmark
    public Answer newInstance() {
        String page = "n" + fresh++;
        Answer a = pipeline.resolve(new Query(DomainName.of(page + ".pages.bench.test"), RecordType.A, Fixtures.CLIENT,
                Transport.UDP)).block(Duration.ofSeconds(10));
        if (!(a instanceof Answer.Found)) {
            throw new IllegalStateException("not answered: " + page + " " + a);
        }
        Admission admitted = pages.admit(List.of(page), Fixtures.CLIENT.getAddress());
        ((Admission.Admitted) admitted).service().stop("bench").block(Duration.ofSeconds(10));
        return a;
    }
}
