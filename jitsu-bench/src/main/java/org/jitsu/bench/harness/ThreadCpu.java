package org.jitsu.bench.harness;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM's threads, summed by group (the thread's name without its trailing number:
 * {@code jitsu-dns-1-1} → {@code jitsu-dns}, {@code Thread-146} → {@code Thread}), between snapshots.
 * Wall-clock latencies on a shared two-core machine move with everyone else's load; CPU time per
 * operation and per thread group says what the operation itself costs, and which thread pays it.
 */
final class ThreadCpu {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    /** Accumulated CPU nanoseconds per group. */
    private final Map<String, Long> totals = new TreeMap<>();
    private Map<Long, Long> before = Map.of();
    private Map<Long, String> names = Map.of();

    /** Starts a window. */
    void start() {
        names = new HashMap<>();
        before = snapshot(names);
    }

    /** Ends the window begun by {@link #start()}, adding its CPU time to the totals. */
    void stop() {
        Map<Long, String> now = new HashMap<>();
        Map<Long, Long> after = snapshot(now);
        after.forEach((id, ns) -> {
            long spent = ns - before.getOrDefault(id, 0L); // a thread born in the window counts from 0
            if (spent > 0) {
                totals.merge(group(now.get(id)), spent, Long::sum);
            }
        });
    }

    /** Microseconds per operation by group, largest first, groups under 1 µs per operation left out. */
    String perOperation(int operations) {
        StringBuilder out = new StringBuilder();
        totals.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .filter(e -> e.getValue() / operations >= 1000)
                .forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                        .append(e.getValue() / operations / 1000).append(" µs"));
        return out.toString();
    }

    long totalPerOperationNanos(int operations) {
        return totals.values().stream().mapToLong(Long::longValue).sum() / operations;
    }

    private static Map<Long, Long> snapshot(Map<Long, String> names) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : MX.getThreadInfo(MX.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long ns = MX.getThreadCpuTime(info.getThreadId());
            if (ns >= 0) {
                cpu.put(info.getThreadId(), ns);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        return cpu;
    }

    static String group(String name) {
        if (name == null) {
            return "?";
        }
        String g = name.replaceAll("[-_ #]*\\d+([-_]\\d+)*$", "");
        return g.isEmpty() ? name : g;
    }
}
