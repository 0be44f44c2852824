package org.jitsu.bench.harness;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.bench.jmh.Fixtures;
import org.jitsu.server.core.Admission;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.TemplateInstances;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.Transport;

/**
 * The memory of a template under a stream of distinct names, without sockets: 100,000 names queried
 * once each (each booted on an instant backend, answered, then stopped, as a page asked once and left
 * idle), with a cap of 10,000 known instances. Prints the live heap (after a full GC) at 10,000,
 * 50,000 and 100,000 names, which must stay flat past the cap, and beside it the peer of the same
 * run: a pipeline with 10,000 fixed services, each booted once. Also the time per new instance.
 *
 * <pre>{@code ./jitsu bench --templates-only}</pre>
 */
public final class TemplateMemory {
    private static final int CAP = 10_000;
    private static final int NAMES = 100_000;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private TemplateMemory() {
    }

    public static void main(String[] args) {
        long base = liveHeap();
        ScriptedBackend fixedBackend = ScriptedBackend.named("fixed");
        OnDemandPipeline fixed = Fixtures.pipeline(fixedBackend, CAP, BootLimits.DEFAULT);
        for (int i = 0; i < CAP; i++) {
            found(fixed, Fixtures.name(i));
        }
        long fixedHeap = liveHeap() - base;
        fixed.close();
        fixed = null;
        fixedBackend = null;
        base = liveHeap();

        ScriptedBackend backend = ScriptedBackend.named("instant");
        OnDemandPipeline pipeline = Fixtures.pipeline(backend, 0, BootLimits.DEFAULT,
                List.of(Fixtures.pages(backend, CAP, CAP)));
        TemplateInstances pages = pipeline.core().template("pages").orElseThrow();
        System.out.printf("template pages, cap %,d known instances; each name queried once, then stopped%n", CAP);
        System.out.printf("%-10s %14s %16s %18s%n", "names", "known", "live heap", "per new instance");
        long start = System.nanoTime();
        for (int n = 1; n <= NAMES; n++) {
            String page = "n" + n;
            found(pipeline, DomainName.of(page + ".pages.bench.test"));
            ((Admission.Admitted) pages.admit(List.of(page), Fixtures.CLIENT.getAddress())).service().stop("idle")
                    .block(Duration.ofSeconds(10));
            if (n == CAP || n == 50_000 || n == NAMES) {
                long took = System.nanoTime() - start;
                System.out.printf("%,-10d %,14d %,13.1f MiB %,15.1f µs%n", n, pages.instances().size(),
                        (liveHeap() - base) / 1048576.0, took / 1000.0 / n);
            }
        }
        System.out.printf("peer, same run: %,d fixed services, each booted once: %,.1f MiB live heap%n", CAP,
                fixedHeap / 1048576.0);
        System.out.printf("VMs released by forgetting: %,d%n", backend.releases());
        pipeline.close();
    }

    private static void found(OnDemandPipeline p, DomainName name) {
        Answer a = p.resolve(new Query(name, RecordType.A, Fixtures.CLIENT, Transport.UDP)).block(Duration.ofSeconds(10));
        if (!(a instanceof Answer.Found)) {
            throw new IllegalStateException("not answered: " + name + " " + a);
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }
}
