package org.jitsu.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import org.jitsu.backend.libvirt.LibvirtBackendFactory;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.settings.Settings;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The latency of one libvirt operation on libvirt's in-process test driver (no hypervisor: libvirt's
 * own work plus, through the backend, Jitsu's), as a distribution: JMH's sample mode reports the mean
 * and p50, p90, p99, p99.9 and the maximum in microseconds per operation.
 *
 * <ul>
 *   <li>{@code start}: a shut-off domain is started ({@code virDomainCreate});
 *   <li>{@code destroy}: a running domain is destroyed ({@code virDomainDestroy});
 *   <li>{@code state}: the state of a running domain is read.
 * </ul>
 *
 * {@code path=backend} goes through the libvirt backend, {@code Vm.start()}, {@code Vm.stop(DESTROY)}
 * and {@code Vm.state()} awaited on the benchmark thread: the hop to the backend's bounded scheduler,
 * the lookup of the domain by name (every operation looks it up afresh), the state read, the call and
 * the way back. {@code path=direct} makes the same libvirt calls on libvirt-java on the benchmark thread
 * (lookup by name, the call, free) for comparison: the difference is Jitsu's overhead.
 *
 * <p>Each operation needs the domain in the state the previous one left: {@code start} and
 * {@code destroy} bring it there in a per-invocation setup, outside the measured time. JMH warns
 * against {@link Level#Invocation} for short operations; here an operation takes 5 µs to 0.3 ms,
 * single-threaded, against a setup timestamping cost of well under 0.1 µs.
 *
 * <p>The domain lives in a node file written to a temporary directory ({@code test:///PATH.xml}: each
 * connection gets its own copy). Needs the system's libvirt ({@code libvirt.so.0}, Debian package
 * libvirt0, which {@code ./jitsu bench} installs when missing).
 *
 * <pre>{@code
 * ./jitsu bench --jmh LibvirtBenchmark                 # both paths, about 1 minute
 * ./jitsu bench --jmh LibvirtBenchmark.start -p path=backend
 * }</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LibvirtBenchmark extends JitsuBenchmark {
    private static final String DOMAIN = "bench";
    private static final Duration T = Duration.ofSeconds(5);

    /** The operations, through the backend or directly on libvirt-java. */
    private interface Ops extends AutoCloseable {
        void start() throws LibvirtException;

        void destroy() throws LibvirtException;

        Object state() throws LibvirtException;

        @Override
        void close() throws LibvirtException;
    }

    /** The test driver's node and one domain on it, shut off at first; which path is measured. */
    @State(Scope.Benchmark)
    public static class Node {
        @Param({"backend", "direct"})
        public String path;

        private Path dir;
        private Ops ops;
        /** Whether the domain is running now (tracked here: the two paths see different copies of the node). */
        private boolean running;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            dir = Files.createTempDirectory("jitsu-libvirt-bench-");
            Path node = dir.resolve("node.xml");
            Files.writeString(node, "<node>\n"
                    + "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
                    + "<name>" + DOMAIN + "</name><memory unit='KiB'>8192</memory><os><type>hvm</type></os>"
                    + "<test:runstate>5</test:runstate></domain>\n" // 5: shut off
                    + "</node>\n");
            String uri = "test://" + node.toAbsolutePath();
            ops = path.equals("backend") ? new ThroughBackend(uri, dir) : new Direct(uri);
            // what each operation does is checked once here; the measured ones are not checked
            ops.start();
            if (!String.valueOf(ops.state()).equals(expectedRunning())) {
                throw new IllegalStateException(path + ": domain not running after start: " + ops.state());
            }
            ops.destroy();
        }

        private String expectedRunning() {
            return path.equals("backend") ? VmState.RUNNING.toString() : DomainInfo.DomainState.VIR_DOMAIN_RUNNING.toString();
        }

        void start() throws LibvirtException {
            ops.start();
            running = true;
        }

        void destroy() throws LibvirtException {
            ops.destroy();
            running = false;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            try {
                ops.close();
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> {
                        try {
                            Files.delete(p);
                        } catch (IOException e) {
                            // a temporary directory: left behind
                        }
                    });
                }
            }
        }
    }

    /** Shut off before every invocation. */
    @State(Scope.Thread)
    public static class ShutOff {
        @Setup(Level.Invocation)
        public void shutOff(Node node) throws LibvirtException {
            if (node.running) {
                node.destroy();
            }
        }
    }

    /** Running before every invocation. */
    @State(Scope.Thread)
    public static class Running {
        @Setup(Level.Invocation)
        public void run(Node node) throws LibvirtException {
            if (!node.running) {
                node.start();
            }
        }
    }

    /** Running from the start of each iteration (reading the state leaves it so). */
    @State(Scope.Thread)
    public static class Started {
        @Setup(Level.Iteration)
        public void run(Node node) throws LibvirtException {
            if (!node.running) {
                node.start();
            }
        }
    }

    /** Starts the shut-off domain. */
    @Benchmark
    public void start(Node node, ShutOff shutOff) throws LibvirtException {
        node.start();
    }

    /** Destroys the running domain. */
    @Benchmark
    public void destroy(Node node, Running running) throws LibvirtException {
        node.destroy();
    }

    /** Reads the state of the running domain. */
    @Benchmark
    public Object state(Node node, Started started) throws LibvirtException {
        return node.ops.state();
    }

    /** Through the libvirt backend, as the pipeline calls it; every call awaited on the caller. */
    private static final class ThroughBackend implements Ops {
        private final Scheduler timer = Schedulers.newSingle("bench-timer");
        private final Backend backend;
        private final Vm vm;

        ThroughBackend(String uri, Path stateDir) {
            backend = new LibvirtBackendFactory().create("bench",
                    Settings.of("backends.bench", Map.of("type", "libvirt", "uri", uri)),
                    new BackendContext(stateDir, timer));
            backend.ready().block(T);
            vm = backend.define(DOMAIN, Settings.of("services[0].libvirt", Map.of("domain", DOMAIN)));
        }

        @Override
        public void start() {
            vm.start().block(T);
        }

        @Override
        public void destroy() {
            vm.stop(StopMode.DESTROY, Duration.ZERO).block(T);
        }

        @Override
        public Object state() {
            return vm.state().block(T);
        }

        @Override
        public void close() {
            backend.close();
            timer.dispose();
        }
    }

    /** libvirt-java on the caller's thread: what the backend does per operation, without the backend. */
    private static final class Direct implements Ops {
        private final Connect connection;

        Direct(String uri) throws LibvirtException {
            connection = new Connect(uri, false);
        }

        @Override
        public void start() throws LibvirtException {
            Domain d = connection.domainLookupByName(DOMAIN);
            try {
                d.create();
            } finally {
                d.free();
            }
        }

        @Override
        public void destroy() throws LibvirtException {
            Domain d = connection.domainLookupByName(DOMAIN);
            try {
                d.destroy();
            } finally {
                d.free();
            }
        }

        @Override
        public Object state() throws LibvirtException {
            Domain d = connection.domainLookupByName(DOMAIN);
            try {
                return d.getInfo().state;
            } finally {
                d.free();
            }
        }

        @Override
        public void close() throws LibvirtException {
            connection.close();
        }
    }
}
