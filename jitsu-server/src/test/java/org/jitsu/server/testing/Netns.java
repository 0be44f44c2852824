package org.jitsu.server.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own with only {@code lo} up (needs root), the processes the test
 * starts in it, and a real resolver's configuration for it. {@link #close()} stops the processes
 * (SIGTERM, then SIGKILL after 20 s) and deletes the namespace, also when the test failed.
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private final Path logs;
    private final List<Process> children = new ArrayList<>();

    private Netns(String name, Path logs) {
        this.name = name;
        this.logs = logs;
    }

    /** Creates {@code PREFIX-PID} and brings its {@code lo} up; logs of started processes go to {@code logs}. */
    public static Netns create(String prefix, Path logs) {
        Netns ns = new Netns(prefix + "-" + ProcessHandle.current().pid(), logs);
        DnsTools.Result add = DnsTools.run(List.of("ip", "netns", "add", ns.name), 10);
        if (add.exitCode() != 0) {
            throw new IllegalStateException("ip netns add " + ns.name + " (needs root): " + add.stderr());
        }
        DnsTools.Result lo = ns.run("ip", "link", "set", "lo", "up");
        if (lo.exitCode() != 0) {
            ns.close();
            throw new IllegalStateException("lo up in " + ns.name + ": " + lo.stderr());
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code command} prefixed to run in the namespace. */
    public List<String> in(String... command) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", name));
        out.addAll(List.of(command));
        return out;
    }

    /** Runs {@code command} in the namespace to its end (30 s at most). */
    public DnsTools.Result run(String... command) {
        return DnsTools.run(in(command), 30);
    }

    /** Starts {@code command} in the namespace, its output to {@code LOGS/NAME.log}; stopped on close. */
    public Process start(String logName, String... command) throws IOException {
        Process p = new ProcessBuilder(in(command)).redirectErrorStream(true)
                .redirectOutput(logs.resolve(logName + ".log").toFile()).start();
        children.add(p);
        return p;
    }

    /** Starts a Jitsu server (a JVM of its own, the test's class path) with {@code config}, stopping its services on exit. */
    public Process startJitsu(Path config) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return start("jitsu", java, "-cp", System.getProperty("java.class.path"), "org.jitsu.server.cli.Main", "serve",
                "--config", config.toString(), "--stop-services-on-exit");
    }

    /** A kernel counter of the namespace ({@code nstat} name, e.g. {@code TcpExtTCPSynRetrans}), absolute. */
    public long counter(String nstatName) {
        return counterIn(run("nstat", "-asz", nstatName), nstatName);
    }

    /** The same counter of the test JVM's own network namespace (the host's, for tests on its loopback). */
    public static long hostCounter(String nstatName) {
        return counterIn(DnsTools.run(List.of("nstat", "-asz", nstatName), 30), nstatName);
    }

    private static long counterIn(DnsTools.Result r, String nstatName) {
        for (String line : r.stdout().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(nstatName)) {
                return Long.parseLong(f[1]);
            }
        }
        throw new IllegalStateException("no " + nstatName + " in nstat output: " + r.stdout() + r.stderr());
    }

    /**
     * The configuration of Debian's unbound, listening on 127.0.0.1:{@code port} in the foreground, with
     * {@code zone} stubbed to 127.0.0.1@{@code stubPort}; {@code extra} lines go to its {@code server:} section.
     */
    public static String unboundConfig(Path dir, int port, String zone, int stubPort, String... extra) {
        List<String> lines = new ArrayList<>(List.of(
                "server:",
                "  interface: 127.0.0.1",
                "  port: " + port,
                "  do-daemonize: no",
                "  username: \"\"",
                "  chroot: \"\"",
                "  directory: \"" + dir + "\"",
                "  pidfile: \"" + dir.resolve("unbound.pid") + "\"",
                "  use-syslog: no",
                "  logfile: \"" + dir.resolve("unbound.log") + "\"",
                "  access-control: 127.0.0.0/8 allow",
                "  do-not-query-localhost: no",
                "  qname-minimisation: no",
                "  local-zone: \"test.\" nodefault")); // unbound answers .test itself by default (RFC 6761)
        for (String e : extra) {
            lines.add("  " + e);
        }
        lines.addAll(List.of("stub-zone:", "  name: \"" + zone + "\"", "  stub-addr: 127.0.0.1@" + stubPort, ""));
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        for (Process p : children) {
            p.destroy(); // SIGTERM: a Jitsu server stops its services (--stop-services-on-exit)
        }
        try {
            for (Process p : children) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            DnsTools.run(List.of("ip", "netns", "del", name), 10);
        }
    }
}
