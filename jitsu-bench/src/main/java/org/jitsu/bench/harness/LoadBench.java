package org.jitsu.bench.harness;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side load test behind {@code ./jitsu bench}: Jitsu, NSD and Knot serve the same zone on
 * loopback, each pinned to CPU 1 with dnsperf on CPU 0. For each: max QPS (dnsperf, 200 queries
 * outstanding), server CPU seconds from {@code /proc/PID/stat}, queries per server CPU-second, lost
 * queries, and latency (average, p50, p99 from dnsperf -v) at a fixed 50,000 queries per second. Then
 * Jitsu with 100,000 managed names: start-up time (and CPU time) to the first answer, resident memory,
 * the live heap after a full GC, warm QPS ({@code --scale-only}: only that part). Then the cold path
 * ({@link ColdPathBench}). Prints a table and writes JSON, Markdown and plot data.
 *
 * <p>Arguments: {@code [--quick] [--scale-only] --out DIR --server-cp CLASSPATH [--gc serial|parallel]};
 * {@code --hold-only [--quick] --out DIR}: only {@link HoldBench} (the front against its peers).
 */
public final class LoadBench {
    private static final int FIXED_QPS = 50_000;

    private LoadBench() {
    }

    record Measured(String server, String gc, double maxQps, double cpuSeconds, long completed, double queriesPerCpuSecond,
                    long lostMax, double avgUs50k, double p50Us50k, double p99Us50k, long lost50k, long sent50k,
                    long[] latencies50k) {
    }

    /** One scale run; {@code startCpuSeconds}: the server's CPU time at its first answer (less load-dependent). */
    record Scale(int names, double startSeconds, double startCpuSeconds, double rssMiB, double rssAfterGcMiB,
                 double liveHeapMiB, double maxQps, double queriesPerCpuSecond) {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Path out = Path.of("jitsu-bench/results");
        String serverCp = null;
        String gc = "serial";
        boolean skipCold = false;
        boolean scaleOnly = false;
        boolean holdOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--server-cp" -> serverCp = args[++i];
                case "--gc" -> gc = args[++i];
                case "--no-cold" -> skipCold = true;
                case "--cold-only" -> {
                    System.out.println(ColdPathBench.run(true, Files.createTempDirectory("jitsu-bench-")).get("markdown"));
                    return;
                }
                case "--scale-only" -> scaleOnly = true;
                case "--hold-only" -> holdOnly = true;
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (holdOnly) { // after the loop: --quick may come after it
            HoldBench.run(quick, out);
            return;
        }
        if (serverCp == null) {
            throw new IllegalArgumentException("--server-cp is required");
        }
        if (scaleOnly) {
            runScale(quick, out, serverCp, gc);
            return;
        }
        run(quick, out, serverCp, gc, skipCold);
    }

    private static void run(boolean quick, Path out, String serverCp, String gc, boolean skipCold) throws Exception {
        int warmupSeconds = quick ? 6 : 15; // the JVM needs a few seconds of load for C2
        int maxSeconds = quick ? 4 : 20;
        int fixedSeconds = quick ? 3 : 15;
        Path work = Files.createTempDirectory("jitsu-bench-");
        Files.createDirectories(out);
        long began = System.nanoTime();
        System.out.printf("jitsu bench%s: work dir %s; load: %s%n", quick ? " --quick" : "", work, loadAverage());

        Path queries = Zone.queryFile(work, 10);
        List<Measured> results = new ArrayList<>();
        results.add(measure("jitsu", gc, work, queries, warmupSeconds, maxSeconds, fixedSeconds,
                port -> jitsuCommand(serverCp, gc, Zone.jitsuConfig(work, port, 10, 8)), true));
        results.add(measure("nsd", "-", work, queries, warmupSeconds, maxSeconds, fixedSeconds,
                port -> List.of("taskset", "-c", "1", "nsd", "-d", "-c", Zone.nsdConfig(dir(work, "nsd"), port).toString()),
                false));
        results.add(measure("knot", "-", work, queries, warmupSeconds, maxSeconds, fixedSeconds,
                port -> List.of("taskset", "-c", "1", "knotd", "-c", Zone.knotConfig(dir(work, "knot"), port).toString()),
                false));

        List<Scale> scale = new ArrayList<>();
        if (quick) {
            System.out.println("  (the 100,000-name scale run is part of the full ./jitsu bench only: its start-up alone takes longer)");
        } else {
            for (int names : new int[] {10, 100_000}) {
                scale.add(scale(names, serverCp, gc, work, queries, warmupSeconds, maxSeconds));
            }
        }
        Map<String, Object> cold = skipCold ? Map.of() : ColdPathBench.run(quick, work);

        double minutes = (System.nanoTime() - began) / 60e9;
        Report.write(out, quick, gc, results, scale, cold, minutes, loadAverage());
        System.out.printf("done in %.1f min; results in %s; load: %s%n", minutes, out, loadAverage());
    }

    /**
     * The scale part alone ({@code ./jitsu bench --scale-only}, about 2 min): Jitsu with 10 and with
     * 100,000 services, as in the full run, without NSD, Knot or the cold path. Prints one line per
     * size and writes {@code scale.md} into {@code out}.
     */
    private static void runScale(boolean quick, Path out, String serverCp, String gc) throws Exception {
        int warmupSeconds = quick ? 6 : 15;
        int maxSeconds = quick ? 4 : 20;
        Path work = Files.createTempDirectory("jitsu-bench-");
        Files.createDirectories(out);
        System.out.printf("jitsu bench --scale-only: work dir %s; heap %s; load: %s%n", work, SCALE_HEAP, loadAverage());
        Path queries = Zone.queryFile(work, 10);
        List<Scale> scale = new ArrayList<>();
        for (int names : new int[] {10, 100_000}) {
            scale.add(scale(names, serverCp, gc, work, queries, warmupSeconds, maxSeconds));
        }
        StringBuilder md = new StringBuilder("| Jitsu, managed names | start-up (to first answer) | its CPU time |"
                + " VmRSS | VmRSS after a full GC | live heap after a full GC | max QPS | queries per server CPU-second"
                + " | vs 10 names |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Scale s : scale) {
            md.append(String.format(Locale.ROOT, "| %,d | %.2f s | %.2f s | %.0f MiB | %.0f MiB | %.0f MiB | %,.0f /s | %,.0f"
                    + " | %.2f |%n", s.names(), s.startSeconds(), s.startCpuSeconds(), s.rssMiB(), s.rssAfterGcMiB(),
                    s.liveHeapMiB(), s.maxQps(),
                    s.queriesPerCpuSecond(), s.queriesPerCpuSecond() / scale.get(0).queriesPerCpuSecond()));
        }
        md.append("\nHeap: ").append(String.join(" ", SCALE_HEAP)).append("; load average after: ").append(loadAverage())
                .append('\n');
        Files.writeString(out.resolve("scale.md"), md);
        System.out.print(md);
    }

    interface Command {
        List<String> at(int port) throws IOException;
    }

    private static Path dir(Path work, String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    /** Heap for the comparison runs (fixed). */
    static final List<String> LOAD_HEAP = List.of("-Xms256m", "-Xmx256m");
    /**
     * Heap for the scale runs: no tight cap (up to 2 GiB, for a 100,000-service config whose live set is
     * ~170 MiB), and the heap kept close to the live set: after a full GC the Serial collector grows the
     * heap only to 10 % free space and gives back what is beyond 30 % (the defaults, 40 % and 70 %, keep
     * the room that start-up needed while parsing). What an operator with many names would set.
     */
    static final List<String> SCALE_HEAP = List.of("-Xms64m", "-Xmx2g", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30");

    static List<String> jitsuCommand(String serverCp, String gc, Path config) {
        return jitsuCommand(serverCp, gc, config, LOAD_HEAP);
    }

    /**
     * Jitsu pinned to CPU 1. Netty's leak detector is off, as for a production server: at its default
     * ("simple") it tracks one buffer in 128 and records a stack trace when it is created and released,
     * 1.5–2 % of the server's CPU in a profile of this load (two buffers per query).
     */
    static List<String> jitsuCommand(String serverCp, String gc, Path config, List<String> heap) {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", "1", "java",
                gc.equals("parallel") ? "-XX:+UseParallelGC" : "-XX:+UseSerialGC"));
        command.addAll(heap);
        command.addAll(List.of("-Dio.netty.leakDetection.level=disabled", "-Djitsu.log.level=WARN", "-cp", serverCp,
                "org.jitsu.server.cli.Main", "serve", "--config", config.toString()));
        return command;
    }

    private static Measured measure(String server, String gc, Path work, Path queries, int warmupSeconds,
                                    int maxSeconds, int fixedSeconds, Command command, boolean bootAll)
            throws Exception {
        int port = freePort();
        InetSocketAddress addr = Zone.loopback(port);
        try (ServerProcess p = ServerProcess.start(server, command.at(port), work.resolve(server + ".log"))) {
            DnsClient.awaitAnswer(addr, "ns1." + Zone.APEX, Duration.ofSeconds(60));
            for (int i = 0; i < 10; i++) { // Jitsu boots each warm service here, once
                DnsClient.awaitAnswer(addr, Zone.name(i), Duration.ofSeconds(10));
            }
            Dnsperf.run(addr, queries, warmupSeconds, 200, 0, false, work, server + "-warmup");
            double cpu0 = p.cpuSeconds();
            Dnsperf.Run max = Dnsperf.run(addr, queries, maxSeconds, 200, 0, false, work, server + "-max");
            double cpu = p.cpuSeconds() - cpu0;
            Dnsperf.Run fixed = Dnsperf.run(addr, queries, fixedSeconds, 200, FIXED_QPS, true, work, server + "-50k");
            if (!p.alive()) {
                throw new IOException(server + " died; see " + work.resolve(server + ".log"));
            }
            Measured m = new Measured(server, gc, max.qps(), cpu, max.completed(), max.completed() / cpu, max.lost(),
                    fixed.avgLatencyUs(), fixed.percentileUs(50), fixed.percentileUs(99), fixed.lost(), fixed.sent(),
                    fixed.latenciesNs());
            System.out.printf(Locale.ROOT, "  %-6s max %,9.0f q/s  %,9.0f q/CPU-s  lost %d | @50k avg %.0f µs p99 %.0f µs lost %d%n",
                    server, m.maxQps(), m.queriesPerCpuSecond(), m.lostMax(), m.avgUs50k(), m.p99Us50k(), m.lost50k());
            return m;
        }
    }

    private static Scale scale(int names, String serverCp, String gc, Path work, Path queries, int warmupSeconds,
                               int maxSeconds) throws Exception {
        int port = freePort();
        InetSocketAddress addr = Zone.loopback(port);
        Path config = Zone.jitsuConfig(dir(work, "scale-" + names), port, names, 8);
        long t0 = System.nanoTime();
        try (ServerProcess p = ServerProcess.start("jitsu-" + names, jitsuCommand(serverCp, gc, config, SCALE_HEAP),
                work.resolve("jitsu-" + names + ".log"))) {
            DnsClient.awaitAnswer(addr, "ns1." + Zone.APEX, Duration.ofSeconds(240));
            double start = (System.nanoTime() - t0) / 1e9;
            double startCpu = p.cpuSeconds();
            for (int i = 0; i < 10; i++) {
                DnsClient.awaitAnswer(addr, Zone.name(i), Duration.ofSeconds(10));
            }
            Dnsperf.run(addr, queries, warmupSeconds, 200, 0, false, work, "scale-warmup");
            double cpu0 = p.cpuSeconds();
            Dnsperf.Run max = Dnsperf.run(addr, queries, maxSeconds, 200, 0, false, work, "scale-" + names);
            double cpu = p.cpuSeconds() - cpu0;
            double rss = p.rssMiB();
            // a full GC lets the Serial collector shrink the heap that parsing the config grew
            new ProcessBuilder("jcmd", Long.toString(p.pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            Scale s = new Scale(names, start, startCpu, rss, p.rssMiB(), liveHeapMiB(p.pid()), max.qps(),
                    max.completed() / cpu);
            System.out.printf(Locale.ROOT, "  jitsu with %,d names: start %.2f s (%.2f CPU-s), RSS %.0f MiB (%.0f MiB after a"
                    + " full GC, live heap %.0f MiB), max %,.0f q/s, %,.0f q/CPU-s%n", names, s.startSeconds(),
                    s.startCpuSeconds(), s.rssMiB(), s.rssAfterGcMiB(), s.liveHeapMiB(), s.maxQps(), s.queriesPerCpuSecond());
            return s;
        }
    }

    /** Heap in use right after the full GC (the live set), from {@code jcmd PID GC.heap_info}; -1 when unknown. */
    static double liveHeapMiB(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            long kb = 0;
            // Serial/Parallel: "def new generation total 1K, used 2K", "tenured generation total 3K, used 4K";
            // G1: "garbage-first heap total 1K, used 2K"
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(?m)^\\s*(def new generation|tenured generation|PSYoungGen|ParOldGen|garbage-first heap)\\s+total \\d+K, used (\\d+)K")
                    .matcher(text);
            while (m.find()) {
                kb += Long.parseLong(m.group(2));
            }
            return kb == 0 ? -1 : kb / 1024.0;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static int freePort() throws IOException {
        while (true) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
