package org.jitsu.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Debian's {@code dnsperf} pinned to CPU 0 against a loopback server and reads its summary;
 * with {@code verbose} (-v) also every query's latency, for percentiles.
 */
final class Dnsperf {
    private static final Pattern SENT = Pattern.compile("Queries sent:\\s+(\\d+)");
    private static final Pattern COMPLETED = Pattern.compile("Queries completed:\\s+(\\d+)");
    private static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
    private static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
    private static final Pattern AVG = Pattern.compile("Average Latency \\(s\\):\\s+([0-9.]+)");
    private static final Pattern LINE = Pattern.compile("^> (\\S+) .* ([0-9]+\\.[0-9]+)$");

    /** One run's figures; latencies in microseconds. */
    record Run(long sent, long completed, long lost, double qps, double avgLatencyUs, long[] latenciesNs,
               long nonNoerror) {
        double percentileUs(double p) {
            if (latenciesNs.length == 0) {
                return Double.NaN;
            }
            long[] s = latenciesNs.clone();
            Arrays.sort(s);
            int i = (int) Math.min(s.length - 1, Math.ceil(p / 100.0 * s.length) - 1);
            return s[Math.max(0, i)] / 1000.0;
        }
    }

    private Dnsperf() {
    }

    static Run run(InetSocketAddress server, Path queries, int seconds, int outstanding, int maxQps, boolean verbose,
                   Path workDir, String tag) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "0", "dnsperf",
                "-s", server.getAddress().getHostAddress(), "-p", Integer.toString(server.getPort()),
                "-d", queries.toString(), "-l", Integer.toString(seconds), "-q", Integer.toString(outstanding),
                "-t", "2", "-b", "4096"));
        if (maxQps > 0) {
            cmd.addAll(List.of("-Q", Integer.toString(maxQps)));
        }
        if (verbose) {
            cmd.add("-v");
        }
        Path out = workDir.resolve("dnsperf-" + tag + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("dnsperf did not finish: " + cmd);
        }
        List<String> lines = Files.readAllLines(out);
        String all = String.join("\n", lines);
        long[] lat = new long[verbose ? lines.size() : 0];
        int n = 0;
        long bad = 0;
        if (verbose) {
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    lat[n++] = Math.round(Double.parseDouble(m.group(2)) * 1e9);
                    if (!m.group(1).equals("NOERROR")) {
                        bad++;
                    }
                }
            }
        }
        if (!verbose) {
            Files.deleteIfExists(out);
        }
        return new Run(num(SENT, all), num(COMPLETED, all), num(LOST, all), dbl(QPS, all), dbl(AVG, all) * 1e6,
                Arrays.copyOf(lat, n), bad);
    }

    private static long num(Pattern p, String s) throws IOException {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IOException("dnsperf output lacks " + p.pattern() + ":\n" + s.lines().limit(40).toList());
        }
        return Long.parseLong(m.group(1));
    }

    private static double dbl(Pattern p, String s) throws IOException {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IOException("dnsperf output lacks " + p.pattern());
        }
        return Double.parseDouble(m.group(1));
    }
}
