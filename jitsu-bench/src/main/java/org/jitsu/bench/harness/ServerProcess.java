package org.jitsu.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process the harness started (pinned with {@code taskset}), with its CPU time read from
 * {@code /proc/PID/stat} (utime + stime of it and every live descendant: NSD forks workers) and its
 * resident memory from {@code /proc/PID/status}. Stopped by its own PID: SIGTERM, then SIGKILL.
 */
final class ServerProcess implements AutoCloseable {
    private static final double TICKS_PER_SECOND = 100.0; // CLK_TCK on Linux

    final String name;
    private final Process process;

    private ServerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    static ServerProcess start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return new ServerProcess(name, pb.start());
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU seconds used so far by the process and its live descendants. */
    double cpuSeconds() {
        long ticks = ticks(process.pid());
        try (Stream<ProcessHandle> d = process.descendants()) {
            ticks += d.mapToLong(h -> ticks(h.pid())).sum();
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** VmRSS of the process and its live descendants, in MiB. */
    double rssMiB() {
        long kb = rssKb(process.pid());
        try (Stream<ProcessHandle> d = process.descendants()) {
            kb += d.mapToLong(h -> rssKb(h.pid())).sum();
        }
        return kb / 1024.0;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
        } catch (IOException | RuntimeException e) {
            return 0; // gone
        }
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    @Override
    public void close() {
        List<ProcessHandle> children;
        try (Stream<ProcessHandle> d = process.descendants()) {
            children = d.toList();
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) { // started by it, so ours; by PID only
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }
}
