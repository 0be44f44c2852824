package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.Prometheus;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the cluster tests share (a JUnit extension, registered after the {@link EtcdExtension} it uses):
 * Jitsu instances on one real etcd (each with its own port, state directory and process backend, lease
 * TTL 2 s), started in this JVM or in a JVM of their own (to be killed with SIGKILL), query bursts
 * spread over them (with {@link StrictUdpClient}, not dig: see there), bounded waits, and the pidfiles
 * of the processes the instances started. After each test it stops what it started: in-JVM instances
 * stop the processes they own, child JVMs are killed by PID, the busybox processes left in pidfiles are
 * killed by PID, and the temporary directory is deleted.
 */
final class Cluster implements BeforeEachCallback, AfterEachCallback {
    private final EtcdExtension etcd;
    private final String prefix;
    private final List<JitsuServer> servers = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();
    private Path dir;

    Cluster(EtcdExtension etcd, String prefix) {
        this.etcd = etcd;
        this.prefix = prefix;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jitsu-cluster-");
    }

    Path dir() {
        return dir;
    }

    /** The VM record ({@code vms/<id>}: owner and handle) in etcd, if any. */
    Optional<String> vmRecord(String serviceId) {
        String value = etcd.etcdctl("get", "--print-value-only", prefix + "vms/" + serviceId).strip();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** The config of instance {@code name} on {@code dnsPort} with {@code services} (YAML list items). */
    Path config(String name, int dnsPort, String services) throws Exception {
        String yaml = String.join("\n",
                EtcdExtension.configHead(dnsPort, dir.resolve(name), "endpoints: [\"" + etcd.endpoint()
                        + "\"], prefix: " + prefix + ", instance-id: " + name + ", lease-ttl: 2s"),
                "zones: [{name: cl.test, nameservers: [ns1.cl.test], hosts: {ns1.cl.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                services);
        return Files.writeString(dir.resolve(name + ".yml"), yaml);
    }

    /** The config with idle checks every 250 ms (so that a 3 s idle timeout is checked often). */
    static Path withIdleTicks(Path config) throws Exception {
        String yaml = Files.readString(config);
        return Files.writeString(config, yaml.replace("services:\n", "idle: {check-interval: 250ms}\nservices:\n"));
    }

    /** Starts an instance in this JVM from {@code config}; {@link #close} stops it. */
    JitsuServer start(Path config) throws Exception {
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(config)).startTimeout(Duration.ofSeconds(20)).start();
        servers.add(s);
        return s;
    }

    /**
     * Starts instance {@code name} in a JVM of its own ({@code ./jitsu serve}), log in {@code name.log};
     * returns once it answers on {@code dnsPort}.
     */
    Process startChild(String name, int dnsPort, Path config) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "org.jitsu.server.cli.Main",
                "serve", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        children.add(p);
        until(name + " serves", () -> query(dnsPort, "ns1.cl.test", 1).equals("127.0.0.1"));
        return p;
    }

    /** SIGKILL of a child instance; returns once it is gone. */
    static void kill(Process child) throws Exception {
        child.destroyForcibly();
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the instance died").isTrue();
    }

    /**
     * {@code count} single queries for {@code name} ({@link StrictUdpClient}: one socket each, every
     * datagram on it checked), 20 at a time, alternating over {@code ports}; returns the addresses each
     * got (one a line), in order, or {@code no reply within 20 s}.
     */
    static List<String> burst(String name, int count, int... ports) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<CompletableFuture<String>> queries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int port = ports[i % ports.length];
                queries.add(CompletableFuture.supplyAsync(() -> StrictUdpClient.queryA(port, name, Duration.ofSeconds(20))
                        .map(StrictUdpClient.Reply::shortText).orElse("no reply within 20 s"), pool));
            }
            List<String> out = new ArrayList<>();
            for (CompletableFuture<String> q : queries) {
                out.add(q.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One query for the A records of {@code name} ({@link StrictUdpClient}): the addresses, one a line
     * (like {@code dig +short}), empty when no reply came within {@code seconds}.
     */
    static String query(int port, String name, int seconds) {
        return StrictUdpClient.queryA(port, name, Duration.ofSeconds(seconds)).map(StrictUdpClient.Reply::shortText)
                .orElse("");
    }

    /**
     * The UDP replies {@code server} has sent so far (its {@code jitsu_dns_queries_total} for UDP A
     * NOERROR answers, read from its admin API; 0 before the first).
     */
    static long udpAnswers(JitsuServer server) throws Exception {
        java.net.InetSocketAddress admin = server.adminAddress().orElseThrow();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + admin.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        if (!text.contains("\njitsu_dns_queries_total{")) {
            return 0; // nothing answered yet: no such sample
        }
        return (long) Prometheus.parse(text).value("jitsu_dns_queries_total", "transport", "udp", "type", "A",
                "rcode", "NOERROR");
    }

    /** Waits (bounded: 30 s) for {@code condition}. */
    static void until(String what, BooleanSupplier condition) {
        Await.until(what, condition);
    }

    /** The pidfile of {@code service} in {@code instance}'s process backend. */
    Path pidFile(String instance, String service) {
        return dir.resolve(instance).resolve("local").resolve("pids").resolve(service + ".pid");
    }

    /** The pid a pidfile names, if the file is there. */
    static Optional<Long> pid(Path pidFile) {
        try {
            return Files.exists(pidFile)
                    ? Optional.of(Long.parseLong(Files.readString(pidFile).strip().split(" ")[0]))
                    : Optional.empty();
        } catch (Exception e) {
            return Optional.empty(); // being replaced or deleted right now
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The pidfiles of every instance: one per process they started (or adopted) and run. */
    long pidFiles() throws Exception {
        try (var files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".pid")).count();
        }
    }

    /** Kills the busybox process a pidfile names (one a killed instance started), by its pid. */
    static void killBusybox(Path pidFile) {
        pid(pidFile).flatMap(ProcessHandle::of)
                .filter(h -> h.info().command().orElse("").endsWith("busybox"))
                .ifPresent(ProcessHandle::destroyForcibly);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (Process p : children) {
            p.destroyForcibly();
        }
        for (JitsuServer s : servers) {
            s.close(true); // the owner stops what it runs, also when the test failed
        }
        servers.clear();
        children.clear();
        try (var files = Files.walk(dir)) {
            files.filter(p -> p.toString().endsWith(".pid")).forEach(Cluster::killBusybox);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The etcd settings of instance {@code name} (as its config says), for a store without a server. */
    StoreSettings.Etcd storeSettings(String name) throws Exception {
        return JitsuConfig.load(config(name, 53, "  []")).store().etcd().orElseThrow();
    }

    /**
     * A service {@code id} on {@code address}: a busybox sleep that is ready only once {@link #openGate}
     * opens TCP port {@code gate} on the same address (boot timeout 30 s).
     */
    static String gatedSleeper(String id, String address, int gate) {
        return EtcdExtension.sleeperReadyWhen(id, id + ".cl.test", address, "{tcp: \"" + address + ":" + gate + "\"}",
                "boot-timeout: 30s");
    }

    /** Opens the gate of a {@link #gatedSleeper}: its readiness check passes while the socket is open. */
    static java.net.ServerSocket openGate(String address, int gate) throws Exception {
        java.net.ServerSocket open = new java.net.ServerSocket();
        open.bind(new java.net.InetSocketAddress(IpLiteral.parse(address).orElseThrow(), gate));
        return open;
    }
}
