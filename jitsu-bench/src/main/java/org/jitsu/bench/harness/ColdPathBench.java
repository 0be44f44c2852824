package org.jitsu.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.NamedService;

/**
 * The cold path end to end, on a real Jitsu in this JVM queried over loopback UDP:
 * <ul>
 *   <li>query-to-answer for a stopped service, on the process backend ({@code busybox httpd}, ready
 *       when it answers HTTP) and on libvirt's test driver, next to the backend's own boot time
 *       ({@code Vm.start()} then the same readiness checks, called directly): Jitsu's overhead is the
 *       difference;</li>
 *   <li>1,000 queries sent at once for one stopped {@code busybox httpd} service: boots counted, answer
 *       times against the boot time;</li>
 *   <li>a boot storm: 1,000 distinct stopped names (libvirt test driver) queried at once with
 *       {@code boot.max-concurrent: 8}: NOERROR, SERVFAIL and unanswered counted separately.</li>
 * </ul>
 * Between rounds the service is destroyed through its VM handle and the round waits until the pipeline
 * has seen it stop. Every process started here is stopped here, by the backend (by PID).
 */
final class ColdPathBench {
    private static final int STORM = 1000;
    private static final int JOIN = 1000;

    private ColdPathBench() {
    }

    static Map<String, Object> run(boolean quick, Path work) throws Exception {
        int rounds = quick ? 30 : 200;
        Path dir = Files.createDirectories(work.resolve("cold"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "cold\n");
        Files.writeString(dir.resolve("domain.xml"), "<domain type='test'><name>${name}</name>"
                + "<memory unit='KiB'>8192</memory><os><type>hvm</type></os></domain>\n");
        int port = LoadBench.freePort();
        int webPort = LoadBench.freePort();
        int joinPort = LoadBench.freePort();
        StringBuilder yaml = new StringBuilder("""
                listen: {addresses: [127.0.0.1], port: %1$d, event-loops: 1}
                admin: {enabled: false}
                zones:
                  - {name: bench.test, nameservers: [ns1.bench.test], hosts: {ns1.bench.test: [127.0.0.1]}}
                boot: {max-concurrent: 8, max-queued: 1024, max-waiters: 10000}
                idle: {check-interval: 1h}
                state-dir: "%2$s/run"
                backends:
                  local: {type: process}
                  lab: {type: libvirt, uri: "test:///default"}
                services:
                  - {id: web, names: [web.bench.test], addresses: [127.0.0.3], idle-timeout: 1h, backend: local,
                     process: {command: [busybox, httpd, -f, -p, "127.0.0.3:%4$d", -h, "%3$s"]},
                     readiness: [{http: "http://127.0.0.3:%4$d/"}]}
                  - {id: join, names: [join.bench.test], addresses: [127.0.0.4], idle-timeout: 1h, backend: local,
                     process: {command: [busybox, httpd, -f, -p, "127.0.0.4:%5$d", -h, "%3$s"]},
                     readiness: [{http: "http://127.0.0.4:%5$d/"}]}
                  - {id: vm, names: [vm.bench.test], addresses: [127.0.0.5], idle-timeout: 1h, backend: lab,
                     libvirt: {template: "%6$s/domain.xml"}}
                """.formatted(port, dir, www, webPort, joinPort, dir));
        for (int i = 0; i < STORM; i++) {
            yaml.append("  - {id: st").append(i).append(", names: [st").append(i).append(".bench.test], addresses: [")
                    .append(Zone.address(i)).append("], idle-timeout: 1h, backend: lab, libvirt: {template: \"")
                    .append(dir).append("/domain.xml\"}}\n");
        }
        JitsuServer server = JitsuServer.start(JitsuConfig.parse(yaml.toString(), "cold-bench"));
        InetSocketAddress addr = Zone.loopback(port);
        try (DnsClient client = new DnsClient(addr)) {
            DnsClient.awaitAnswer(addr, "ns1.bench.test", Duration.ofSeconds(30));
            Series web = coldSeries(server, client, "web", "web.bench.test", rounds, dir);
            Series vm = coldSeries(server, client, "vm", "vm.bench.test", rounds, dir);
            // the first round runs the join path for the first time (interpreted, meters created); the
            // last, after the others, is the measured one, as the cold series measure after warm-up rounds
            NamedService joinDef = server.services().stream().filter(s -> s.id().equals("join")).findFirst()
                    .orElseThrow();
            int joinRounds = quick ? 3 : 5;
            Join first = null;
            Join join = null;
            for (int i = 0; i < joinRounds; i++) {
                if (i > 0) {
                    stopFromOutside(server, joinDef, dir);
                }
                join = join(server, addr);
                if (i == 0) {
                    first = join;
                }
            }
            Storm storm = storm(addr);
            String md = markdown(web, vm, first, join, joinRounds, storm, rounds);
            String json = String.format(Locale.ROOT, "{\"rounds\": %d, \"process\": %s, \"libvirtTest\": %s, "
                            + "\"join\": {\"queries\": %d, \"answered\": %d, \"boots\": %d, \"p50Ms\": %.3f, \"p99Ms\": %.3f, "
                            + "\"maxMs\": %.3f, \"bootP50Ms\": %.3f, \"thisBootMs\": %d, \"sendMs\": %.3f, \"rounds\": %d, "
                            + "\"firstRoundP99Ms\": %.3f}, \"storm\": {\"names\": %d, \"noerror\": %d, \"servfail\": %d, "
                            + "\"unanswered\": %d, \"seconds\": %.3f}}",
                    rounds, web.json(), vm.json(), JOIN, join.answered, join.boots, join.p50Ms, join.p99Ms, join.maxMs,
                    web.directP50Ms(), join.bootMs, join.sendMs, joinRounds, first.p99Ms, STORM, storm.noerror,
                    storm.servfail, storm.unanswered, storm.seconds);
            return LoadBench.map("markdown", md, "json", json);
        } finally {
            for (NamedService s : server.services()) {
                if (s.id().equals("web") || s.id().equals("join")) {
                    s.service().vm().stop(StopMode.DESTROY, Duration.ZERO).block(Duration.ofSeconds(10));
                }
            }
            server.close();
        }
    }

    /** Query-to-answer and direct boot times in ns, alternating rounds. */
    record Series(String id, long[] queryNs, long[] directNs) {
        double directP50Ms() {
            return pct(directNs, 50) / 1e6;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"queryP50Us\": %.1f, \"queryP99Us\": %.1f, \"bootP50Us\": %.1f, "
                            + "\"bootP99Us\": %.1f, \"overheadP50Us\": %.1f, \"overheadP99Us\": %.1f}",
                    pct(queryNs, 50) / 1e3, pct(queryNs, 99) / 1e3, pct(directNs, 50) / 1e3, pct(directNs, 99) / 1e3,
                    (pct(queryNs, 50) - pct(directNs, 50)) / 1e3, (pct(queryNs, 99) - pct(directNs, 99)) / 1e3);
        }
    }

    private static Series coldSeries(JitsuServer server, DnsClient client, String id, String name, int rounds,
                                     Path dir)
            throws IOException {
        NamedService def = server.services().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
        long[] q = new long[rounds];
        long[] d = new long[rounds];
        ThreadCpu jitsuCpu = new ThreadCpu();
        ThreadCpu directCpu = new ThreadCpu();
        int retries = 0;
        for (int r = -3; r < rounds; r++) { // three rounds of warm-up
            awaitState(server, id, ServiceStatus.State.STOPPED);
            boolean counted = r >= 0;
            if (counted) {
                jitsuCpu.start();
            }
            long t0 = System.nanoTime();
            Optional<Integer> rcode = client.ask(name, Duration.ofSeconds(10));
            long t1 = System.nanoTime();
            if (rcode.isPresent() && rcode.get() == DnsClient.SERVFAIL && retries < rounds) {
                // the stop event of the previous round's direct start/stop (libvirt reports it on its own
                // thread, a little later) hit this boot: not Jitsu's cost, so the round is run again
                retries++;
                r--;
                continue;
            }
            if (rcode.isEmpty() || rcode.get() != DnsClient.NOERROR) {
                throw new IOException("cold query for " + name + " answered " + rcode);
            }
            stopFromOutside(server, def, dir);
            settle(server, id);
            if (counted) {
                jitsuCpu.stop();
                directCpu.start();
            }
            long t2 = System.nanoTime();
            def.service().vm().start().block(Duration.ofSeconds(10));
            for (ReadinessCheck c : def.service().readiness()) {
                c.await(def.service().vm()).block(Duration.ofSeconds(10));
            }
            long t3 = System.nanoTime();
            def.service().vm().stop(StopMode.DESTROY, Duration.ZERO).block(Duration.ofSeconds(10)); // the pipeline never saw it
            if (counted) {
                directCpu.stop();
            }
            if (r >= 0) {
                q[r] = t1 - t0;
                d[r] = t3 - t2;
            }
        }
        if (retries > 0) {
            System.out.printf("  cold %s: %d round(s) run again after a late stop event of a direct start%n", id, retries);
        }
        System.out.printf("  cold %s, CPU per round of this JVM's threads (harness threads included): through Jitsu "
                        + "(query, boot, answer, stop seen) %d µs: %s%n", id, jitsuCpu.totalPerOperationNanos(rounds) / 1000,
                jitsuCpu.perOperation(rounds));
        System.out.printf("  cold %s, CPU per round: direct (start, readiness, stop) %d µs: %s%n", id,
                directCpu.totalPerOperationNanos(rounds) / 1000, directCpu.perOperation(rounds));
        return new Series(id, q, d);
    }

    /**
     * Makes the service stopped as a crash would (the pipeline learns it from the backend's events): a
     * process is killed by the PID in its backend's pid file; a libvirt domain is destroyed through
     * the handle (libvirt reports it).
     */
    static void stopFromOutside(JitsuServer server, NamedService def, Path dir) throws IOException {
        Path pidFile = dir.resolve("run/local/pids/" + def.id() + ".pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        } else {
            def.service().vm().stop(StopMode.DESTROY, Duration.ZERO).block(Duration.ofSeconds(10));
        }
        awaitState(server, def.id(), ServiceStatus.State.STOPPED);
    }

    /**
     * Waits (bounded) until the store has nothing left to write from this round, so that its work is
     * counted in the round that caused it: the state file's modification time has not changed for
     * 150 ms (longer than the embedded store's 50 ms record linger plus a write).
     */
    static void settle(JitsuServer server, String id) throws IOException {
        Path file = server.config().store().directory().resolve("state.yml");
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        long last = -1;
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 6) {
            long m = Files.exists(file) ? Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.MICROSECONDS) : 0;
            stable = m == last ? stable + 1 : 0;
            last = m;
            LockSupport.parkNanos(25_000_000L);
        }
    }

    static void awaitState(JitsuServer server, String id, ServiceStatus.State state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.pipeline().core().status(id).orElseThrow().state() != state) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("service " + id + " not " + state + " within 10 s: "
                        + server.pipeline().core().status(id));
            }
            LockSupport.parkNanos(100_000L);
        }
    }

    /**
     * The 1,000 joiners: answer times per query from its own send time, the boot's own time as the
     * pipeline measured it ({@code ServiceStatus.lastBootMillis}), boots counted.
     */
    record Join(int answered, long boots, double p50Ms, double p99Ms, double maxMs, long bootMs, double sendMs) {
    }

    /**
     * Sends the queries from this thread while another thread reads and times the replies as they
     * arrive: a reply that arrives while queries are still being sent is timed then, not after the last
     * send (which would add the sender's own time to the early answers).
     */
    private static Join join(JitsuServer server, InetSocketAddress addr) throws IOException, InterruptedException {
        long bootsBefore = server.pipeline().core().status("join").orElseThrow().boots();
        AtomicLongArray sent = new AtomicLongArray(JOIN);
        long[] took = new long[JOIN];
        int[] answered = new int[1];
        long sendNs;
        try (DnsClient c = new DnsClient(addr)) {
            Thread receiver = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                try {
                    while (answered[0] < JOIN && System.nanoTime() < deadline) {
                        Optional<int[]> r = c.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                        if (r.isEmpty()) {
                            break;
                        }
                        long at = System.nanoTime();
                        int id = r.get()[0];
                        if (id < JOIN && took[id] == 0 && r.get()[1] == DnsClient.NOERROR) {
                            took[id] = Math.max(1, at - sent.get(id));
                            answered[0]++;
                        }
                    }
                } catch (IOException e) {
                    System.out.println("  join: receiving failed: " + e);
                }
            }, "join-receiver");
            receiver.start();
            long s0 = System.nanoTime();
            for (int i = 0; i < JOIN; i++) {
                byte[] q = DnsClient.query(i, "join.bench.test");
                sent.set(i, System.nanoTime());
                c.send(q);
            }
            sendNs = System.nanoTime() - s0;
            receiver.join(Duration.ofSeconds(20).toMillis());
        }
        ServiceStatus status = server.pipeline().core().status("join").orElseThrow();
        long boots = status.boots() - bootsBefore;
        long[] got = Arrays.stream(took).filter(t -> t > 0).toArray();
        return new Join(answered[0], boots, pct(got, 50) / 1e6, pct(got, 99) / 1e6, pct(got, 100) / 1e6,
                status.lastBootMillis().orElse(-1L), sendNs / 1e6);
    }

    record Storm(int noerror, int servfail, int unanswered, double seconds) {
    }

    private static Storm storm(InetSocketAddress addr) throws IOException {
        int[] rcode = new int[STORM];
        Arrays.fill(rcode, -1);
        long t0 = System.nanoTime();
        try (DnsClient c = new DnsClient(addr)) {
            for (int i = 0; i < STORM; i++) {
                c.send(DnsClient.query(i, "st" + i + ".bench.test"));
            }
            int got = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (got < STORM && System.nanoTime() < deadline) {
                Optional<int[]> r = c.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (r.isEmpty()) {
                    break;
                }
                int id = r.get()[0];
                if (id < STORM && rcode[id] < 0) {
                    rcode[id] = r.get()[1];
                    got++;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int ok = 0;
        int fail = 0;
        int none = 0;
        for (int r : rcode) {
            if (r == DnsClient.NOERROR) {
                ok++;
            } else if (r < 0) {
                none++;
            } else {
                fail++;
            }
        }
        return new Storm(ok, fail, none, seconds);
    }

    private static String markdown(Series web, Series vm, Join first, Join join, int joinRounds, Storm storm,
                                   int rounds) {
        List<String> md = new ArrayList<>();
        md.add(String.format(Locale.ROOT, "Cold path (%d rounds each; query-to-answer over loopback UDP vs the backend's own "
                + "start + readiness called directly; overhead = difference of the percentiles):%n", rounds));
        md.add("| backend | query-to-answer p50 | p99 | backend boot p50 | p99 | Jitsu overhead p50 | p99 |");
        md.add("|---|---:|---:|---:|---:|---:|---:|");
        for (Series s : List.of(web, vm)) {
            md.add(String.format(Locale.ROOT, "| %s | %.0f µs | %.0f µs | %.0f µs | %.0f µs | %.0f µs | %.0f µs |",
                    s.id().equals("web") ? "process (busybox httpd, HTTP ready)" : "libvirt test driver",
                    pct(s.queryNs(), 50) / 1e3, pct(s.queryNs(), 99) / 1e3, pct(s.directNs(), 50) / 1e3,
                    pct(s.directNs(), 99) / 1e3, (pct(s.queryNs(), 50) - pct(s.directNs(), 50)) / 1e3,
                    (pct(s.queryNs(), 99) - pct(s.directNs(), 99)) / 1e3));
        }
        md.add("");
        md.add(String.format(Locale.ROOT, "%,d queries at once for one stopped busybox service: %,d answered NOERROR, "
                        + "**%d boot(s)**; answer time (each from its own send) p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
                        + "this boot took %d ms as the pipeline timed it (the backend's own boot: p50 %.2f ms); "
                        + "sending the %,d queries took %.2f ms (round %d of %d; the first round, with the join path "
                        + "not yet compiled: p99 %.2f ms, boot %d ms).", JOIN, join.answered(), join.boots(), join.p50Ms(),
                join.p99Ms(), join.maxMs(), join.bootMs(), web.directP50Ms(), JOIN, join.sendMs(), joinRounds,
                joinRounds, first.p99Ms(), first.bootMs()));
        md.add("");
        md.add(String.format(Locale.ROOT, "Boot storm: %,d distinct stopped names (libvirt test driver) at once, "
                        + "boot.max-concurrent 8, max-queued 1024: %,d NOERROR, %,d SERVFAIL, %,d unanswered, all in %.2f s.",
                STORM, storm.noerror(), storm.servfail(), storm.unanswered(), storm.seconds()));
        return String.join("\n", md) + "\n";
    }

    static double pct(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] s = values.clone();
        Arrays.sort(s);
        int i = (int) Math.min(s.length - 1, Math.max(0, Math.ceil(p / 100 * s.length) - 1));
        return s[i];
    }
}
