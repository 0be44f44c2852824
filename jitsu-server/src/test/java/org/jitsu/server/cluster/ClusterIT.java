package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.pipeline.ServiceStatus;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Jitsu instances in one JVM sharing a real etcd, each with its own port, state directory and
 * process backend; the service is a busybox httpd on a loopback address.
 */
class ClusterIT {
    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();

    @TempDir
    Path dir;

    private final List<JitsuServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (JitsuServer s : servers) {
            s.close(true); // the owner stops the httpd it started, also when the test failed
        }
    }

    private int webPort;

    private JitsuServer instance(String name, int dnsPort) throws Exception {
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(config(name, dnsPort, webService())))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(s);
        return s;
    }

    private String webService() {
        return String.join("\n",
                "  - id: www",
                "    names: [www.cl.test]",
                "    addresses: [127.0.8.2]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.8.2:" + webPort + "\", -h, \""
                        + dir.resolve("www") + "\"]}",
                "    readiness: [{http: \"http://127.0.8.2:" + webPort + "/\"}]",
                "");
    }

    private Path config(String name, int dnsPort, String services) throws Exception {
        String yaml = String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + dnsPort + "}",
                "admin: {address: \"127.0.0.1:0\"}",
                "state-dir: \"" + dir.resolve(name) + "\"",
                "store:",
                "  type: etcd",
                "  etcd: {endpoints: [\"" + etcd.endpoint() + "\"], prefix: /cluster-it/, instance-id: " + name
                        + ", lease-ttl: 2s}",
                "zones: [{name: cl.test, nameservers: [ns1.cl.test], hosts: {ns1.cl.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                services);
        return Files.writeString(dir.resolve(name + ".yml"), yaml);
    }

    @Test
    void fiveHundredQueriesForAColdNameSpreadOverTwoInstancesBootItOnce() throws Exception {
        webPort = JitsuServerExtension.freePort("127.0.8.2");
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "cluster\n");
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        JitsuServer a = instance("ns1", portA);
        JitsuServer b = instance("ns2", portB);

        // 500 dig processes, 20 at a time, alternating between the instances: the first 20 arrive cold
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        List<CompletableFuture<DnsTools.Result>> digs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int port = i % 2 == 0 ? portA : portB;
            digs.add(CompletableFuture.supplyAsync(() -> DnsTools.dig("127.0.0.1", port, "+short", "+tries=1",
                    "+time=20", "www.cl.test", "A"), pool));
        }
        pool.shutdown();
        int answers = 0;
        for (CompletableFuture<DnsTools.Result> f : digs) {
            assertThat(f.get().stdout().strip()).as("every query gets the address").isEqualTo("127.0.8.2");
            answers++;
        }
        assertThat(answers).isEqualTo(500);
        ServiceStatus sa = a.pipeline().service("www").orElseThrow();
        ServiceStatus sb = b.pipeline().service("www").orElseThrow();
        assertThat(sa.boots() + sb.boots()).as("one boot across both instances").isEqualTo(1);
        assertThat(sa.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(sb.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(pidFiles(dir)).as("one httpd started (pid files of both instances)").isEqualTo(1);
    }

    @Test
    void killingTheOwnerMidBootHandsTheBootOver() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        int gate = JitsuServerExtension.freePort("127.0.8.3");
        // a service that is ready only once the test opens the gate port
        String slow = String.join("\n",
                "  - id: slow",
                "    names: [slow.cl.test]",
                "    addresses: [127.0.8.3]",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    readiness: [{tcp: \"127.0.8.3:" + gate + "\"}]",
                "    boot-timeout: 30s",
                "");
        // instance ns1 in its own JVM, so that it can be killed with SIGKILL mid-boot
        Path configA = config("ns1", portA, slow);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process a = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "org.jitsu.server.Main",
                "serve", "--config", configA.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("ns1.log").toFile()).start();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            JitsuServer b = JitsuServer.builder(JitsuConfig.load(config("ns2", portB, slow)))
                    .startTimeout(Duration.ofSeconds(20)).start();
            servers.add(b);
            EtcdAwait.until("ns1 serves", () -> DnsTools.dig("127.0.0.1", portA, "+short", "+tries=1", "+time=1",
                    "ns1.cl.test", "A").stdout().strip().equals("127.0.0.1"));

            CompletableFuture<DnsTools.Result> onA = CompletableFuture.supplyAsync(() -> DnsTools.dig("127.0.0.1",
                    portA, "+short", "+tries=1", "+time=5", "slow.cl.test", "A"), pool);
            Path pidA = dir.resolve("ns1/local/pids/slow.pid");
            EtcdAwait.until("ns1 claimed the boot and started its process", () -> Files.exists(pidA));
            CompletableFuture<DnsTools.Result> onB = CompletableFuture.supplyAsync(() -> DnsTools.dig("127.0.0.1",
                    portB, "+short", "+tries=1", "+time=40", "slow.cl.test", "A"), pool);
            EtcdAwait.until("ns2 waits for ns1's boot", () -> b.pipeline().service("slow").orElseThrow().state()
                    == ServiceStatus.State.BOOTING);

            a.destroyForcibly(); // SIGKILL: its lease expires after 2 s, and with it the claim
            assertThat(a.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            killSleeper(pidA); // what ns1 started, by its pid
            try (java.net.ServerSocket open = new java.net.ServerSocket()) {
                open.bind(new java.net.InetSocketAddress(org.jitsu.backend.spi.IpLiteral.parse("127.0.8.3")
                        .orElseThrow(), gate));
                assertThat(onB.get().stdout().strip()).as("ns2 took the boot over and answers").isEqualTo("127.0.8.3");
            }
            ServiceStatus sb = b.pipeline().service("slow").orElseThrow();
            assertThat(sb.boots()).as("booted by ns2").isEqualTo(1);
            assertThat(sb.state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(dir.resolve("ns2/local/pids/slow.pid")).exists();
            onA.handle((r, e) -> null).get(); // ns1's dig ended one way or the other (its server died)
        } finally {
            a.destroyForcibly();
            killSleeper(dir.resolve("ns1/local/pids/slow.pid"));
            pool.shutdownNow();
        }
    }

    @Test
    void etcdKilledAndRestartedRunningServicesAnsweredBootsRefusedThenWatchesResume() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        String services = String.join("\n",
                "  - id: one",
                "    names: [one.cl.test]",
                "    addresses: [127.0.8.4]",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    readiness: [{delay: 1ms}]",
                "  - id: two",
                "    names: [two.cl.test]",
                "    addresses: [127.0.8.6]",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    readiness: [{delay: 1ms}]",
                "");
        JitsuServer a = JitsuServer.builder(JitsuConfig.load(config("ns1", portA, services)))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(a);
        JitsuServer b = JitsuServer.builder(JitsuConfig.load(config("ns2", portB, services)))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(b);
        assertThat(dig(portA, "one.cl.test", 10)).isEqualTo("127.0.8.4");
        assertThat(dig(portB, "one.cl.test", 10)).isEqualTo("127.0.8.4");

        etcd.kill();
        assertThat(dig(portA, "one.cl.test", 5)).as("running: answered from memory").isEqualTo("127.0.8.4");
        assertThat(dig(portB, "one.cl.test", 5)).isEqualTo("127.0.8.4");
        DnsTools.Result refused = DnsTools.dig("127.0.0.1", portA, "+tries=1", "+time=15", "two.cl.test", "A");
        assertThat(refused.stdout()).as("on-unavailable: refuse").contains("status: SERVFAIL");
        assertThat(a.pipeline().service("two").orElseThrow().boots()).isZero();

        etcd.restart();
        String spec = "{\"names\": [\"three.cl.test\"], \"addresses\": [\"127.0.8.7\"], \"backend\": \"local\","
                + " \"process\": {\"command\": [\"busybox\", \"sleep\", \"600\"]}, \"readiness\": [{\"delay\": \"1ms\"}]}";
        String admin = "http://127.0.0.1:" + a.adminAddress().orElseThrow().getPort() + "/api/services/three";
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .proxy(java.net.http.HttpClient.Builder.NO_PROXY).build();
        EtcdAwait.until("the registration is stored once etcd is back", () -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin))
                        .timeout(Duration.ofSeconds(20)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(spec))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        EtcdAwait.until("ns2's watch resumed and registered three", () -> b.pipeline().service("three").isPresent());

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<CompletableFuture<String>> digs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int port = i % 2 == 0 ? portA : portB;
                digs.add(CompletableFuture.supplyAsync(() -> dig(port, "three.cl.test", 15), pool));
            }
            for (CompletableFuture<String> d : digs) {
                assertThat(d.get()).isEqualTo("127.0.8.7");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(a.pipeline().service("three").orElseThrow().boots()
                + b.pipeline().service("three").orElseThrow().boots()).as("no duplicate boot after the restart")
                .isEqualTo(1);
        assertThat(b.pipeline().service("one").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
    }

    @Test
    void trafficOnOneInstanceKeepsTheServiceUpThenOnlyTheOwnerStopsIt() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        String services = String.join("\n",
                "  - id: idle",
                "    names: [idle.cl.test]",
                "    addresses: [127.0.8.8]",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    readiness: [{delay: 1ms}]",
                "    idle-timeout: 3s",
                "");
        JitsuServer a = JitsuServer.builder(JitsuConfig.load(withIdleTicks(config("ns1", portA, services))))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(a);
        JitsuServer b = JitsuServer.builder(JitsuConfig.load(withIdleTicks(config("ns2", portB, services))))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(b);
        assertThat(dig(portA, "idle.cl.test", 10)).as("booted by ns1").isEqualTo("127.0.8.8");
        assertThat(dig(portB, "idle.cl.test", 10)).isEqualTo("127.0.8.8");
        Path pid = dir.resolve("ns1/local/pids/idle.pid");
        assertThat(pid).exists();
        assertThat(a.pipeline().service("idle").orElseThrow().boots()).isEqualTo(1);

        // queries on ns2 only, every 250 ms for 9 s: three idle periods of ns1's own silence
        java.util.concurrent.ScheduledExecutorService traffic = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        try {
            traffic.scheduleAtFixedRate(() -> {
                if (!dig(portB, "idle.cl.test", 2).equals("127.0.8.8")) {
                    wrong.incrementAndGet();
                }
                done.incrementAndGet();
            }, 0, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
            EtcdAwait.until("36 queries on ns2", () -> done.get() >= 36);
        } finally {
            traffic.shutdownNow();
            assertThat(traffic.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(wrong.get()).as("queries on ns2 without the address").isZero();
        assertThat(a.pipeline().service("idle").orElseThrow().state()).as("kept up by ns2's traffic")
                .isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(a.pipeline().service("idle").orElseThrow().boots()).isEqualTo(1);
        assertThat(b.pipeline().service("idle").orElseThrow().boots()).isZero();

        // silence everywhere: the owner stops it, the other instance forgets it
        EtcdAwait.until("ns1 stops the idle service", () -> a.pipeline().service("idle").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        EtcdAwait.until("ns2 forgets it", () -> b.pipeline().service("idle").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        assertThat(dir.resolve("ns2/local/pids/idle.pid")).as("ns2 never started it").doesNotExist();
    }

    /** The config with idle checks every 250 ms (so that a 3 s idle timeout is checked often). */
    private static Path withIdleTicks(Path config) throws Exception {
        String yaml = Files.readString(config);
        return Files.writeString(config, yaml.replace("services:\n", "idle: {check-interval: 250ms}\nservices:\n"));
    }

    private static String dig(int port, String name, int seconds) {
        return DnsTools.dig("127.0.0.1", port, "+short", "+tries=1", "+time=" + seconds, name, "A").stdout().strip();
    }

    private static void killSleeper(Path pidFile) throws Exception {
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).strip().split(" ")[0]);
            ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").endsWith("busybox"))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Bounded polling for a condition. */
    static final class EtcdAwait {
        static void until(String what, java.util.function.BooleanSupplier condition) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!condition.getAsBoolean()) {
                assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    /** The process backends' pid files of both instances: one per process they started. */
    private static long pidFiles(Path dir) throws Exception {
        long n = 0;
        try (var files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
                n++;
            }
        }
        return n;
    }
}
