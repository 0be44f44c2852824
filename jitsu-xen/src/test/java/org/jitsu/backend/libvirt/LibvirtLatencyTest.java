package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Measures per-operation latency on the test driver, through the backend (scheduler hop, lookup,
 * state read, call) and directly on libvirt-java for comparison, and prints p50/p90/p99. Asserts only
 * that every operation did what it should: timings vary with the machine and are reported, not checked.
 */
class LibvirtLatencyTest {
    private static final int WARMUP = 200;
    private static final int ROUNDS = 1_000;
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void printsLatenciesThroughTheBackendAndDirect() throws Exception {
        String uri = TestNode.write(dir, TestNode.domain("bench", 5));
        Scheduler timer = Schedulers.newSingle("test-timer");
        LibvirtBackend backend = (LibvirtBackend) new LibvirtBackendFactory()
                .create("bench", TestNode.backendSettings(uri), new BackendContext(dir, timer));
        try {
            LibvirtVm vm = backend.define("bench", TestNode.spec(0, Map.of("domain", "bench")));
            long[] create = new long[ROUNDS];
            long[] destroy = new long[ROUNDS];
            long[] lookup = new long[ROUNDS];
            for (int i = -WARMUP; i < ROUNDS; i++) {
                long t0 = System.nanoTime();
                vm.start().block(T);
                long t1 = System.nanoTime();
                VmState s = vm.state().block(T);
                long t2 = System.nanoTime();
                vm.stop(StopMode.DESTROY, Duration.ZERO).block(T);
                long t3 = System.nanoTime();
                assertThat(s).isEqualTo(VmState.RUNNING);
                if (i >= 0) {
                    create[i] = t1 - t0;
                    lookup[i] = t2 - t1;
                    destroy[i] = t3 - t2;
                }
            }
            assertThat(vm.state().block(T)).isEqualTo(VmState.STOPPED);
            report("backend", create, destroy, lookup);
        } finally {
            backend.close();
            timer.dispose();
        }

        LibvirtRuntime.ensureStarted();
        Connect c = new Connect(uri, false);
        try {
            long[] create = new long[ROUNDS];
            long[] destroy = new long[ROUNDS];
            long[] lookup = new long[ROUNDS];
            for (int i = -WARMUP; i < ROUNDS; i++) {
                long t0 = System.nanoTime();
                Domain d = c.domainLookupByName("bench");
                long t1 = System.nanoTime();
                d.create();
                long t2 = System.nanoTime();
                d.destroy();
                long t3 = System.nanoTime();
                d.free();
                if (i >= 0) {
                    lookup[i] = t1 - t0;
                    create[i] = t2 - t1;
                    destroy[i] = t3 - t2;
                }
            }
            report("direct libvirt-java", create, destroy, lookup);
        } finally {
            c.close();
        }
    }

    private static void report(String what, long[] create, long[] destroy, long[] lookup) {
        System.out.printf(Locale.ROOT, "libvirt test driver, %s, %d rounds: create %s | destroy %s | lookup/state %s%n",
                what, ROUNDS, percentiles(create), percentiles(destroy), percentiles(lookup));
    }

    private static String percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "p50 %.3f ms, p90 %.3f ms, p99 %.3f ms",
                s[s.length / 2] / 1e6, s[s.length * 9 / 10] / 1e6, s[s.length * 99 / 100] / 1e6);
    }
}
