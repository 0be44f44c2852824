package org.jitsu.bench.harness;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jitsu.backend.StopMode;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.NamedService;

/**
 * The connection-holding front ({@code answer: at-once}, {@code hold:}) against its peers, in one run
 * ({@code ./jitsu bench --hold-only [--quick]}): a real Jitsu in this JVM ({@code JitsuServer.start}
 * from a YAML file), plain-socket echo and sink servers on 127.0.0.2 ({@link HoldPeers}) and a
 * zero-copy {@code splice(2)} proxy ({@link SpliceProxy}), all on loopback, one client thread, each
 * variant after the other. Measured:
 * <ol>
 *   <li>throughput of one TCP connection streaming to the sink: direct, through the front of a running
 *       at-once service, through the spliceTo proxy (MiB/s, median of 3 after a warm-up run), and the
 *       CPU time of the proxy's own thread per GiB;</li>
 *   <li>ping-pong of a 64-byte message over one connection to the echo server: p50 and p99, with every
 *       thread of this JVM pinned to one CPU, then with the client alone on the other CPU;</li>
 *   <li>connection setup: connect plus one 64-byte round trip on a new connection, p50 and p99, likewise;</li>
 *   <li>the cold start of two {@code busybox httpd} services identical but for {@code answer:}
 *       (when-ready, at-once): from one DNS query's send, the time to the answer and to the first byte
 *       of the response to {@code GET /} on the answered address; and the warm answer time, back to back
 *       and after an idle pause as long as a cold round's.</li>
 * </ol>
 * For 1 to 3 the Jitsu service is a placeholder process ({@code busybox sleep 3600}) whose readiness is a
 * TCP connect to the echo server and whose hold ports lead to the sink and echo ports. Prints the table
 * and writes {@code hold.md}. Everything started here is stopped here.
 *
 * <p>Over 400 lines because the text of {@code hold.md} (what each figure is and how it is measured)
 * is written here, beside the code that measures it, so that the two cannot drift apart.
 */
final class HoldBench {
    private static final String SINK_ECHO = "127.0.0.2";
    private static final String FRONT = "127.0.0.3";
    private static final String SPLICE = "127.0.0.4";
    private static final String READY_HTTPD = "127.0.0.5";
    private static final String AT_ONCE_HTTPD = "127.0.0.6";
    private static final String AT_ONCE_FRONT = "127.0.0.7";
    private static final int MESSAGE = 64;
    /** An idle pause like the one before each cold round (the store settling takes 150 ms and more). */
    private static final long PAUSE_NANOS = 200_000_000L;

    private HoldBench() {
    }

    /** One way to reach the sink and echo servers; {@code cpuThreads}: the name prefix of its proxy's threads. */
    record Variant(String name, InetSocketAddress sink, InetSocketAddress echo, String cpuThreads) {
    }

    /**
     * What was measured for one variant: throughput runs, the ping-pong and setup times with every thread
     * of this JVM on one CPU ({@code One}) and with the client on the other ({@code Two}); CPU figures are -1
     * for the direct one.
     */
    record Stream(Variant variant, double[] mibPerSecond, double cpuSecondsPerGiB, long[] pingOne, long[] pingTwo,
                  double cpuUsPerRoundTrip, long[] setupOne, long[] setupTwo, double cpuUsPerConnection) {
        double medianMiBs() {
            double[] s = mibPerSecond.clone();
            Arrays.sort(s);
            return s[s.length / 2];
        }
    }

    /** The cold rounds of one policy, in ns from the query's send. */
    record Cold(String policy, long[] answerNs, long[] firstByteNs) {
    }

    /** Warm answer times in ns: back to back, and each after an idle pause. */
    record Warm(long[] backToBack, long[] afterPause) {
    }

    static void run(boolean quick, Path out) throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // as a production server runs
        long bytes = (quick ? 128L : 512L) << 20;
        int pings = quick ? 10_000 : 20_000;
        int setups = quick ? 1_000 : 2_000;
        int rounds = quick ? 10 : 30;
        String command = "./jitsu bench --hold-only" + (quick ? " --quick" : "");
        String loadBefore = LoadBench.loadAverage();
        long began = System.nanoTime();
        Path dir = Files.createTempDirectory("jitsu-bench-hold-");
        System.out.printf("%s: work dir %s; load: %s%n", command, dir, loadBefore);
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "held\n");

        try (HoldPeers.Server sink = HoldPeers.Server.start(InetAddress.getByName(SINK_ECHO), true);
             HoldPeers.Server echo = HoldPeers.Server.start(InetAddress.getByName(SINK_ECHO), false)) {
            int dnsPort = LoadBench.freePort();
            int[] front = HoldPeers.freePorts(FRONT, 2);
            int readyPort = HoldPeers.freePorts(READY_HTTPD, 1)[0];
            int atOncePort = HoldPeers.freePorts(AT_ONCE_HTTPD, 1)[0];
            int atOnceFrontPort = HoldPeers.freePorts(AT_ONCE_FRONT, 1)[0];
            Path config = dir.resolve("hold-bench.yml");
            Files.writeString(config, yaml(dir, dnsPort, sink.address().getPort(), echo.address().getPort(), front,
                    readyPort, atOncePort, atOnceFrontPort));
            JitsuServer server = JitsuServer.start(JitsuConfig.load(config));
            try (HoldPeers.Resolver dns = new HoldPeers.Resolver(Zone.loopback(dnsPort))) {
                DnsClient.awaitAnswer(Zone.loopback(dnsPort), "ns1.bench.test", Duration.ofSeconds(30));
                if (!dns.ask("fwd.bench.test").getHostAddress().equals(FRONT)) {
                    throw new IOException("fwd.bench.test (stopped, at-once) was not answered with the front");
                }
                ColdPathBench.awaitState(server, "fwd", ServiceStatus.State.RUNNING);
                List<Variant> variants = new ArrayList<>(List.of(
                        new Variant("direct", sink.address(), echo.address(), null),
                        new Variant("Jitsu front", HoldPeers.socket(FRONT, front[0]), HoldPeers.socket(FRONT, front[1]),
                                "jitsu-front")));
                String spliceError = null;
                SpliceProxy splice = null;
                try {
                    splice = SpliceProxy.start(InetAddress.getByName(SPLICE), List.of(sink.address(), echo.address()));
                    variants.add(new Variant("spliceTo proxy", HoldPeers.socket(SPLICE, splice.ports().get(0)),
                            HoldPeers.socket(SPLICE, splice.ports().get(1)), "bench-splice"));
                } catch (IOException | RuntimeException e) {
                    spliceError = e.toString();
                    System.out.println("  the spliceTo proxy did not start: " + spliceError);
                }
                List<Stream> streams;
                try {
                    streams = streams(variants, bytes, pings, setups);
                } finally {
                    if (splice != null) {
                        splice.close();
                    }
                }
                Map<String, Integer> ports = Map.of(READY_HTTPD, readyPort, AT_ONCE_FRONT, atOnceFrontPort, AT_ONCE_HTTPD,
                        atOncePort);
                List<Cold> cold = cold(server, dns, dir, ports, rounds);
                Warm warm = warm(server, dns, quick ? 1_000 : 2_000, quick ? 10 : 20);
                String md = markdown(quick, command, bytes, streams, spliceError, cold, warm, loadBefore,
                        (System.nanoTime() - began) / 1e9);
                Files.createDirectories(out);
                Files.writeString(out.resolve("hold.md"), md);
                System.out.print(md);
                System.out.println("written: " + out.resolve("hold.md"));
            } finally {
                for (NamedService s : server.services()) {
                    s.service().vm().stop(StopMode.DESTROY, Duration.ZERO).block(Duration.ofSeconds(10));
                }
                server.close();
            }
        }
    }

    private static String yaml(Path dir, int dnsPort, int sinkPort, int echoPort, int[] front, int readyPort,
                               int atOncePort, int atOnceFrontPort) {
        String httpd = """
                  - {id: %1$s, names: [%1$s.bench.test], addresses: [%2$s], idle-timeout: 1h, backend: local,
                     process: {command: [busybox, httpd, -f, -p, "%2$s:%3$d", -h, "%4$s/www"]},
                     readiness: [{http: "http://%2$s:%3$d/"}]%5$s}
                """;
        return """
                listen: {addresses: [127.0.0.1], port: %1$d, event-loops: 1}
                admin: {enabled: false}
                zones:
                  - {name: bench.test, nameservers: [ns1.bench.test], hosts: {ns1.bench.test: [127.0.0.1]}}
                idle: {check-interval: 1h}
                state-dir: "%2$s/run"
                backends:
                  local: {type: process}
                services:
                  - {id: fwd, names: [fwd.bench.test], addresses: [%3$s], idle-timeout: 1h, backend: local,
                     process: {command: [busybox, sleep, "3600"]}, readiness: [{tcp: "%3$s:%5$d"}],
                     answer: at-once, hold: {front: [%6$s], ports: [{port: %7$d, to: %4$d}, {port: %8$d, to: %5$d}]}}
                """.formatted(dnsPort, dir, SINK_ECHO, sinkPort, echoPort, FRONT, front[0], front[1])
                + httpd.formatted("ready", READY_HTTPD, readyPort, dir, "")
                + httpd.formatted("atonce", AT_ONCE_HTTPD, atOncePort, dir, ",\n     answer: at-once, hold: {front: ["
                        + AT_ONCE_FRONT + "], ports: [{port: " + atOnceFrontPort + ", to: " + atOncePort
                        + ", http: true}]}");
    }

    /**
     * Figures 1 to 3, each variant after the other; the throughput runs interleave the variants on both
     * CPUs, free. Ping-pong and setup run twice: with all of this JVM's threads on one CPU (each hop a
     * context switch: the path's own cost), then with the client thread on the first CPU and every other
     * thread on the last (each request and each answer wakes the other CPU, for every variant alike).
     */
    private static List<Stream> streams(List<Variant> variants, long bytes, int pings, int setups) throws IOException {
        int n = variants.size();
        double[][] mibs = new double[n][3];
        long[] cpu = new long[n];
        for (Variant v : variants) { // warm-up: the JIT compiles the proxies' paths
            HoldPeers.throughput(v.sink(), bytes / 4);
        }
        for (int rep = 0; rep < 3; rep++) {
            for (int i = 0; i < n; i++) {
                long c0 = HoldPeers.cpuNanos(variants.get(i).cpuThreads());
                mibs[i][rep] = HoldPeers.throughput(variants.get(i).sink(), bytes);
                cpu[i] += HoldPeers.cpuNanos(variants.get(i).cpuThreads()) - c0;
                System.out.printf(Locale.ROOT, "  throughput %-15s %,8.0f MiB/s%n", variants.get(i).name(), mibs[i][rep]);
            }
        }
        for (Variant v : variants) { // warm-up of every path before the first measured one
            HoldPeers.pingPong(v.echo(), MESSAGE, 0, pings / 5);
            HoldPeers.connectRoundTrip(v.echo(), MESSAGE, 0, setups / 10);
        }
        long[][][] one = new long[2][n][];
        long[][][] two = new long[2][n][];
        long[] pingCpu = new long[n];
        long[] setupCpu = new long[n];
        String all = HoldPeers.affinity();
        List<String> cpus = HoldPeers.cpus(all);
        try {
            HoldPeers.pinAll(cpus.get(0));
            for (int i = 0; i < n; i++) {
                long c0 = HoldPeers.cpuNanos(variants.get(i).cpuThreads());
                one[0][i] = HoldPeers.pingPong(variants.get(i).echo(), MESSAGE, pings / 20, pings);
                pingCpu[i] = HoldPeers.cpuNanos(variants.get(i).cpuThreads()) - c0;
                c0 = HoldPeers.cpuNanos(variants.get(i).cpuThreads());
                one[1][i] = HoldPeers.connectRoundTrip(variants.get(i).echo(), MESSAGE, setups / 20, setups);
                setupCpu[i] = HoldPeers.cpuNanos(variants.get(i).cpuThreads()) - c0;
            }
            HoldPeers.pinAll(cpus.get(cpus.size() - 1)); // servers, proxies, Jitsu: the last CPU
            HoldPeers.pinThisThread(cpus.get(0)); // the client: the first
            for (int i = 0; i < n; i++) {
                two[0][i] = HoldPeers.pingPong(variants.get(i).echo(), MESSAGE, pings / 20, pings);
                two[1][i] = HoldPeers.connectRoundTrip(variants.get(i).echo(), MESSAGE, setups / 20, setups);
            }
        } finally {
            HoldPeers.pinAll(all);
        }
        List<Stream> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Variant v = variants.get(i);
            System.out.printf(Locale.ROOT, "  %-15s ping-pong p50 %.1f µs p99 %.1f µs (client apart: %.1f, %.1f); connect+"
                            + "round trip p50 %.1f µs p99 %.1f µs (client apart: %.1f, %.1f)%n", v.name(), us(one[0][i], 50),
                    us(one[0][i], 99), us(two[0][i], 50), us(two[0][i], 99), us(one[1][i], 50), us(one[1][i], 99),
                    us(two[1][i], 50), us(two[1][i], 99));
            boolean proxied = v.cpuThreads() != null;
            out.add(new Stream(v, mibs[i], proxied ? cpu[i] / 1e9 / (3.0 * bytes / (1L << 30)) : -1, one[0][i],
                    two[0][i], proxied ? pingCpu[i] / 1e3 / (pings * 1.05) : -1, one[1][i], two[1][i],
                    proxied ? setupCpu[i] / 1e3 / (setups * 1.05) : -1));
        }
        return out;
    }

    /**
     * Figure 4: rounds alternating between the policies, two unmeasured rounds each first. Each round the
     * service is stopped (killed, and seen STOPPED by the pipeline), the store has settled, then one
     * query, a connect to the answered address (its port from {@code ports}) and {@code GET /}.
     */
    private static List<Cold> cold(JitsuServer server, HoldPeers.Resolver dns, Path dir, Map<String, Integer> ports,
                                   int rounds) throws IOException {
        String[] ids = {"ready", "atonce"};
        long[][] answer = new long[2][rounds];
        long[][] firstByte = new long[2][rounds];
        for (int r = -2; r < rounds; r++) {
            for (int p = 0; p < 2; p++) {
                String id = ids[p];
                NamedService def = server.services().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
                ColdPathBench.awaitState(server, id, ServiceStatus.State.STOPPED);
                long[] t = HoldPeers.queryConnectGet(dns, id + ".bench.test", ports);
                if (r >= 0) {
                    answer[p][r] = t[0];
                    firstByte[p][r] = t[1];
                }
                ColdPathBench.stopFromOutside(server, def, dir);
                ColdPathBench.settle(server, id);
            }
        }
        List<Cold> out = List.of(new Cold("when-ready", answer[0], firstByte[0]),
                new Cold("at-once", answer[1], firstByte[1]));
        out.forEach(c -> System.out.printf(Locale.ROOT, "  cold %-10s answer p50 %.2f ms p90 %.2f ms; first byte p50 %.2f ms"
                        + " p90 %.2f ms%n", c.policy(), ms(c.answerNs(), 50), ms(c.answerNs(), 90), ms(c.firstByteNs(), 50),
                ms(c.firstByteNs(), 90)));
        return out;
    }

    /**
     * The at-once name while its service runs, in ns: {@code n} answers back to back (after {@code n / 10}
     * unmeasured), then {@code paused} answers each after an idle pause as long as a cold round's (the
     * machine's own wake-up from idle is in the cold answers too).
     */
    private static Warm warm(JitsuServer server, HoldPeers.Resolver dns, int n, int paused) throws IOException {
        dns.ask("atonce.bench.test"); // stopped: the front's address, and the boot starts
        ColdPathBench.awaitState(server, "atonce", ServiceStatus.State.RUNNING);
        long[] took = new long[n];
        long[] afterPause = new long[paused];
        for (int i = -n / 10; i < n + paused; i++) {
            if (i >= n) {
                LockSupport.parkNanos(PAUSE_NANOS);
            }
            long t0 = System.nanoTime();
            InetAddress a = dns.ask("atonce.bench.test");
            long t = System.nanoTime() - t0;
            if (i >= n) {
                afterPause[i - n] = t;
            } else if (i >= 0) {
                took[i] = t;
            }
            if (!a.getHostAddress().equals(AT_ONCE_HTTPD)) {
                throw new IOException("atonce.bench.test, running, answered " + a);
            }
        }
        System.out.printf(Locale.ROOT, "  warm answer p50 %.1f µs p99 %.1f µs; after a %d ms pause p50 %.1f µs%n",
                us(took, 50), us(took, 99), PAUSE_NANOS / 1_000_000, us(afterPause, 50));
        return new Warm(took, afterPause);
    }

    private static String markdown(boolean quick, String command, long bytes, List<Stream> streams, String spliceError,
                                   List<Cold> cold, Warm warm, String loadBefore, double seconds) {
        int pings = streams.get(0).pingOne().length;
        int setups = streams.get(0).setupOne().length;
        StringBuilder md = new StringBuilder("# Answer at once, hold the connection: the front against its peers\n\n");
        md.append(String.format(Locale.ROOT, """
                What: the connection-holding front (`answer: at-once` + `hold:`) as a TCP path, against a direct \
                connection and a minimal zero-copy proxy (Netty epoll `spliceTo`: Linux splice(2) through a pipe, \
                one event loop), and the cold start of an at-once service against a when-ready one.

                How: one JVM, everything on loopback. Jitsu runs in-process (`JitsuServer.start` from a YAML \
                file, process backend, its front on its own single event loop, Netty's leak detector off as in \
                production). The sink and echo servers are plain Java blocking socket channels on 127.0.0.2, a \
                pooled thread per connection; the client is one thread; the variants run one after another, \
                never at the same time; TCP_NODELAY everywhere. For figures 1 to 3 the Jitsu service is a \
                placeholder process (`busybox sleep 3600`, ready when a TCP connect to the echo server succeeds) \
                whose hold ports (front 127.0.0.3) lead to the sink's and the echo server's ports; it runs, so \
                the front splices each connection at once. The spliceTo proxy listens on 127.0.0.4.

                1. Throughput: one connection streams %d MiB to the sink (an 8-byte length, the bytes, a 1-byte \
                ack; timed to the ack), median of 3 runs after a warm-up run of a quarter of that; the runs of \
                the variants interleave; both CPUs free. Proxy CPU: the CPU time of the proxy's own event-loop \
                thread per GiB.
                2. Ping-pong: %,d round trips of a 64-byte message over one connection to the echo server, after \
                %,d unmeasured (and a warm-up pass of every variant first: %,d round trips and %,d connections \
                each). Run twice (`taskset`): every thread of the JVM on one CPU (each hop is a context switch, \
                so the figure is the path's own cost), then "client on the other CPU": the client thread on one \
                CPU, every other thread (servers, proxies, Jitsu) on the other, so that each request and each \
                answer crosses CPUs once, for every variant alike (left free, the scheduler's placement of the \
                three threads decides whether a hop wakes the other, idle, virtual CPU, which here costs more \
                than the path itself). Proxy CPU per round trip (per connection, for 3): its thread's CPU time \
                in the one-CPU run.
                3. Connection setup: connect + one 64-byte round trip on a new connection (closed after), %,d \
                times after %,d unmeasured, on one CPU then on two as for 2; through the front the service \
                runs, so the connection is spliced at once.
                4. Cold start: two `busybox httpd` services (process backend, readiness `http:` only) identical \
                but for `answer:`. Each round the service is killed and seen STOPPED by the pipeline, and the \
                state store has settled; then one DNS A query over UDP (time to the answer), a connect to the \
                answered address (when-ready: the service's own port; at-once: the front's port, held during \
                the boot), `GET / HTTP/1.0`, time to the first response byte; both from the query's send. \
                %d rounds per policy, alternating, after 2 unmeasured each; both CPUs free.

                """, bytes >> 20, pings, pings / 20, pings / 5, setups / 10, setups, setups / 20,
                cold.get(0).answerNs().length));
        md.append(table(streams));
        if (spliceError != null) {
            md.append("\nThe spliceTo proxy is left out: it did not start: ").append(spliceError).append('\n');
        }
        md.append("\nThroughput runs (MiB/s): ");
        for (Stream s : streams) {
            md.append(s.variant().name()).append(' ').append(Arrays.stream(s.mibPerSecond())
                    .mapToObj(v -> String.format(Locale.ROOT, "%,.0f", v)).toList()).append("; ");
        }
        md.setLength(md.length() - 2);
        md.append("\n\n| cold start (%d rounds) | DNS answer p50 | p90 | first response byte p50 | p90 |\n".formatted(
                cold.get(0).answerNs().length)).append("|---|---:|---:|---:|---:|\n");
        for (Cold c : cold) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms |%n", c.policy(),
                    ms(c.answerNs(), 50), ms(c.answerNs(), 90), ms(c.firstByteNs(), 50), ms(c.firstByteNs(), 90)));
        }
        double atOnceP50 = ColdPathBench.pct(cold.get(1).answerNs(), 50);
        md.append(String.format(Locale.ROOT, "%nWarm DNS answer (atonce.bench.test while it runs, one query at a time): "
                        + "back to back (%,d queries) p50 %.1f µs, p99 %.1f µs; each after a %d ms idle pause like a cold "
                        + "round's (%d queries) p50 %.1f µs. At-once cold answer p50 / warm answer p50: **%.1f** (back to "
                        + "back), %.1f (after a pause).%n", warm.backToBack().length, us(warm.backToBack(), 50),
                us(warm.backToBack(), 99), PAUSE_NANOS / 1_000_000, warm.afterPause().length, us(warm.afterPause(), 50),
                atOnceP50 / ColdPathBench.pct(warm.backToBack(), 50), atOnceP50 / ColdPathBench.pct(warm.afterPause(), 50)));
        md.append(String.format(Locale.ROOT, "%nLoad average before: %s; after: %s (2 CPUs). Run took %.0f s.%n",
                loadBefore, LoadBench.loadAverage(), seconds));
        md.append("\nCommand: `").append(command).append('`').append(quick ? " (quick: fewer bytes, round trips and rounds)"
                : "").append('\n');
        return md.toString();
    }

    private static String table(List<Stream> streams) {
        StringBuilder t = new StringBuilder("| figure |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Stream s : streams) {
            t.append(' ').append(s.variant().name()).append(" |");
            rule.append("---:|");
        }
        t.append('\n').append(rule).append('\n');
        t.append(row("throughput, 1 connection (median of 3)", streams, s -> String.format(Locale.ROOT, "%,.0f MiB/s",
                s.medianMiBs())));
        t.append(row("proxy thread CPU per GiB streamed", streams, s -> s.cpuSecondsPerGiB() < 0 ? "–"
                : String.format(Locale.ROOT, "%.2f s", s.cpuSecondsPerGiB())));
        Stream direct = streams.get(0);
        for (int p : new int[] {50, 99}) {
            t.append(row("ping-pong 64 B, p" + p + ", one CPU", streams,
                    s -> withAdded(s.pingOne(), direct.pingOne(), p)));
        }
        for (int p : new int[] {50, 99}) {
            t.append(row("ping-pong 64 B, p" + p + ", client on the other CPU", streams,
                    s -> withAdded(s.pingTwo(), direct.pingTwo(), p)));
        }
        t.append(row("proxy thread CPU per round trip", streams, s -> s.cpuUsPerRoundTrip() < 0 ? "–"
                : String.format(Locale.ROOT, "%.1f µs", s.cpuUsPerRoundTrip())));
        for (int p : new int[] {50, 99}) {
            t.append(row("connect + 64 B round trip, p" + p + ", one CPU", streams,
                    s -> withAdded(s.setupOne(), direct.setupOne(), p)));
        }
        for (int p : new int[] {50, 99}) {
            t.append(row("connect + 64 B round trip, p" + p + ", client on the other CPU", streams,
                    s -> withAdded(s.setupTwo(), direct.setupTwo(), p)));
        }
        t.append(row("proxy thread CPU per connection", streams, s -> s.cpuUsPerConnection() < 0 ? "–"
                : String.format(Locale.ROOT, "%.1f µs", s.cpuUsPerConnection())));
        return t.toString();
    }

    private static String row(String figure, List<Stream> streams, java.util.function.Function<Stream, String> cell) {
        StringBuilder r = new StringBuilder("| ").append(figure).append(" |");
        streams.forEach(s -> r.append(' ').append(cell.apply(s)).append(" |"));
        return r.append('\n').toString();
    }

    /** "p µs", and for a proxied variant "(+d)": the difference to the direct one at the same percentile. */
    private static String withAdded(long[] ns, long[] direct, int p) {
        String v = String.format(Locale.ROOT, "%.1f µs", us(ns, p));
        return ns == direct ? v : v + String.format(Locale.ROOT, " (%+.1f)", us(ns, p) - us(direct, p));
    }

    private static double us(long[] ns, double p) {
        return ColdPathBench.pct(ns, p) / 1e3;
    }

    private static double ms(long[] ns, double p) {
        return ColdPathBench.pct(ns, p) / 1e6;
    }
}
