package org.jitsu.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the results: {@code results.json}, {@code results.md} (the table the README quotes), and
 * the plot data {@code throughput.dat} and {@code latency-50k.dat} (percentile → µs per server) that
 * {@code jitsu-bench/scripts/plots.gp} draws. Also prints the Markdown table.
 */
final class Report {
    private Report() {
    }

    static void write(Path out, boolean quick, String gc, List<LoadBench.Measured> rows, List<LoadBench.Scale> scale,
                      Map<String, Object> cold, double minutes, String load) throws IOException {
        LoadBench.Measured jitsu = rows.get(0);
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Run %s (%s, %.1f min), %s; Jitsu GC: %s; load average after: %s.%n%n",
                Instant.now().toString().substring(0, 19) + "Z", quick ? "`./jitsu bench --quick`" : "`./jitsu bench`",
                minutes, machine(), gc, load));
        md.append("| server | max QPS | queries per server CPU-second | Jitsu / peer (per CPU-s) | lost (max) "
                + "| avg latency @50k QPS | p50 @50k | p99 @50k | Jitsu / peer (avg latency) | lost @50k |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LoadBench.Measured m : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %,.0f /s | %,.0f | %.2f | %d | %.0f µs | %.0f µs | %.0f µs | %.2f | %d of %,d |%n",
                    m.server(), m.maxQps(), m.queriesPerCpuSecond(), jitsu.queriesPerCpuSecond() / m.queriesPerCpuSecond(),
                    m.lostMax(), m.avgUs50k(), m.p50Us50k(), m.p99Us50k(), jitsu.avgUs50k() / m.avgUs50k(), m.lost50k(),
                    m.sent50k()));
        }
        if (!scale.isEmpty()) {
            md.append("\n| Jitsu, managed names | start-up (to first answer) | resident memory (VmRSS) | VmRSS after a full GC | max QPS | queries per server CPU-second | vs 10 names |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
            for (LoadBench.Scale s : scale) {
                md.append(String.format(Locale.ROOT, "| %,d | %.2f s | %.0f MiB | %.0f MiB | %,.0f /s | %,.0f | %.2f |%n", s.names(),
                        s.startSeconds(), s.rssMiB(), s.rssAfterGcMiB(), s.maxQps(), s.queriesPerCpuSecond(),
                        s.queriesPerCpuSecond() / scale.get(0).queriesPerCpuSecond()));
            }
        }
        if (!cold.isEmpty()) {
            md.append('\n').append(cold.get("markdown"));
        }
        Files.writeString(out.resolve("results.md"), md);
        System.out.println();
        System.out.print(md);

        StringBuilder json = new StringBuilder("{\n");
        json.append(String.format(Locale.ROOT, "  \"quick\": %b, \"minutes\": %.2f, \"machine\": \"%s\", \"load\": \"%s\", \"jitsuGc\": \"%s\",%n",
                quick, minutes, machine(), load, gc));
        json.append("  \"peers\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            LoadBench.Measured m = rows.get(i);
            json.append(String.format(Locale.ROOT, "    {\"server\": \"%s\", \"maxQps\": %.0f, \"cpuSeconds\": %.3f, "
                            + "\"completed\": %d, \"queriesPerCpuSecond\": %.0f, \"lostMax\": %d, \"avgUs50k\": %.1f, "
                            + "\"p50Us50k\": %.1f, \"p99Us50k\": %.1f, \"lost50k\": %d, \"sent50k\": %d}%s%n",
                    m.server(), m.maxQps(), m.cpuSeconds(), m.completed(), m.queriesPerCpuSecond(), m.lostMax(),
                    m.avgUs50k(), m.p50Us50k(), m.p99Us50k(), m.lost50k(), m.sent50k(), i + 1 < rows.size() ? "," : ""));
        }
        json.append("  ],\n  \"scale\": [\n");
        for (int i = 0; i < scale.size(); i++) {
            LoadBench.Scale s = scale.get(i);
            json.append(String.format(Locale.ROOT, "    {\"names\": %d, \"startSeconds\": %.3f, \"rssMiB\": %.1f, \"rssAfterGcMiB\": %.1f, "
                            + "\"maxQps\": %.0f, \"queriesPerCpuSecond\": %.0f}%s%n", s.names(), s.startSeconds(),
                    s.rssMiB(), s.rssAfterGcMiB(), s.maxQps(), s.queriesPerCpuSecond(), i + 1 < scale.size() ? "," : ""));
        }
        json.append("  ],\n  \"cold\": ").append(cold.isEmpty() ? "{}" : cold.get("json")).append("\n}\n");
        Files.writeString(out.resolve("results.json"), json);

        StringBuilder tp = new StringBuilder("# server queries-per-CPU-second max-QPS\n");
        for (LoadBench.Measured m : rows) {
            tp.append(String.format(Locale.ROOT, "%s %.0f %.0f%n", m.server(), m.queriesPerCpuSecond(), m.maxQps()));
        }
        Files.writeString(out.resolve("throughput.dat"), tp);
        StringBuilder lat = new StringBuilder("percentile");
        for (LoadBench.Measured m : rows) {
            lat.append(' ').append(m.server()).append("-us");
        }
        lat.append('\n');
        long[][] sorted = rows.stream().map(m -> {
            long[] s = m.latencies50k().clone();
            Arrays.sort(s);
            return s;
        }).toArray(long[][]::new);
        for (double p : percentiles()) {
            lat.append(String.format(Locale.ROOT, "%.2f", p));
            for (long[] s : sorted) {
                int i = s.length == 0 ? -1 : (int) Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1));
                lat.append(String.format(Locale.ROOT, " %.1f", i < 0 ? Double.NaN : s[i] / 1000.0));
            }
            lat.append('\n');
        }
        Files.writeString(out.resolve("latency-50k.dat"), lat);
    }

    private static double[] percentiles() {
        double[] p = new double[120];
        int n = 0;
        for (int i = 1; i <= 99; i++) {
            p[n++] = i;
        }
        for (double x : new double[] {99.5, 99.9, 99.99, 100}) {
            p[n++] = x;
        }
        return Arrays.copyOf(p, n);
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse(cpu);
        } catch (IOException e) {
            // keep unknown
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", " + System.getProperty("os.name")
                + " " + System.getProperty("os.version") + ", Java " + Runtime.version().feature();
    }
}
