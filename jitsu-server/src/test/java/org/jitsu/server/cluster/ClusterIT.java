package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Jitsu instances sharing a real etcd ({@link Cluster}), each with its own port, state directory and
 * process backend; the service is a busybox httpd (or sleep) on a loopback address.
 */
@Tag("etcd")
class ClusterIT {
    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension();

    @RegisterExtension
    @Order(2)
    final Cluster cluster = new Cluster(etcd, "/cluster-it/");

    private Path dir;

    @BeforeEach
    void dir() {
        dir = cluster.dir();
    }

    private int webPort;

    private JitsuServer instance(String name, int dnsPort) throws Exception {
        return cluster.start(config(name, dnsPort, webService()));
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
        return cluster.config(name, dnsPort, services);
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

        // 500 queries, 20 at a time, alternating between the instances: the first 20 arrive cold; each on a
        // socket of its own that fails on any datagram but its reply (misdirected, or late after a timeout)
        long answeredBefore = Cluster.udpAnswers(a) + Cluster.udpAnswers(b);
        List<String> answers = Cluster.burst("www.cl.test", 500, portA, portB);
        assertThat(answers).hasSize(500).as("every query gets the address").containsOnly("127.0.8.2");
        assertThat(Cluster.udpAnswers(a) + Cluster.udpAnswers(b) - answeredBefore)
                .as("one reply per query: none sent twice").isEqualTo(500);
        ServiceStatus sa = a.pipeline().core().status("www").orElseThrow();
        ServiceStatus sb = b.pipeline().core().status("www").orElseThrow();
        assertThat(sa.boots() + sb.boots()).as("one boot across both instances").isEqualTo(1);
        assertThat(sa.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(sb.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(cluster.pidFiles()).as("one httpd started (pid files of both instances)").isEqualTo(1);
    }

    @Test
    void killingTheOwnerMidBootHandsTheBootOver() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        int gate = JitsuServerExtension.freePort("127.0.8.3");
        String slow = Cluster.gatedSleeper("slow", "127.0.8.3", gate);
        // instance ns1 in its own JVM, so that it can be killed with SIGKILL mid-boot
        Process a = cluster.startChild("ns1", portA, config("ns1", portA, slow));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            JitsuServer b = cluster.start(config("ns2", portB, slow));

            CompletableFuture<DnsTools.Result> onA = CompletableFuture.supplyAsync(() -> DnsTools.dig("127.0.0.1",
                    portA, "+short", "+tries=1", "+time=5", "slow.cl.test", "A"), pool);
            Path pidA = dir.resolve("ns1/local/pids/slow.pid");
            Cluster.until("ns1 claimed the boot and started its process", () -> Files.exists(pidA));
            CompletableFuture<DnsTools.Result> onB = CompletableFuture.supplyAsync(() -> DnsTools.dig("127.0.0.1",
                    portB, "+short", "+tries=1", "+time=40", "slow.cl.test", "A"), pool);
            Cluster.until("ns2 waits for ns1's boot", () -> b.pipeline().core().status("slow").orElseThrow().state()
                    == ServiceStatus.State.BOOTING);

            Cluster.kill(a); // SIGKILL: its lease expires after 2 s, and with it the claim
            Cluster.killBusybox(pidA); // what ns1 started, by its pid: it died with its instance
            try (java.net.ServerSocket open = Cluster.openGate("127.0.8.3", gate)) {
                assertThat(onB.get().stdout().strip()).as("ns2 took the boot over and answers").isEqualTo("127.0.8.3");
            }
            ServiceStatus sb = b.pipeline().core().status("slow").orElseThrow();
            assertThat(sb.boots()).as("booted by ns2").isEqualTo(1);
            assertThat(sb.state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(dir.resolve("ns2/local/pids/slow.pid")).exists();
            onA.handle((r, e) -> null).get(); // ns1's dig ended one way or the other (its server died)
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void etcdKilledAndRestartedRunningServicesAnsweredBootsRefusedThenWatchesResume() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        String services = String.join("\n",
                EtcdExtension.sleeper("one", "one.cl.test", "127.0.8.4") + EtcdExtension.sleeper("two", "two.cl.test", "127.0.8.6"),
                "");
        JitsuServer a = cluster.start(config("ns1", portA, services));
        JitsuServer b = cluster.start(config("ns2", portB, services));
        assertThat(query(portA, "one.cl.test", 10)).isEqualTo("127.0.8.4");
        assertThat(query(portB, "one.cl.test", 10)).isEqualTo("127.0.8.4");

        etcd.kill();
        assertThat(query(portA, "one.cl.test", 5)).as("running: answered from memory").isEqualTo("127.0.8.4");
        assertThat(query(portB, "one.cl.test", 5)).isEqualTo("127.0.8.4");
        DnsTools.Result refused = DnsTools.dig("127.0.0.1", portA, "+tries=1", "+time=15", "two.cl.test", "A");
        assertThat(refused.stdout()).as("on-unavailable: refuse").contains("status: SERVFAIL");
        assertThat(a.pipeline().core().status("two").orElseThrow().boots()).isZero();

        etcd.restart();
        String spec = "{\"names\": [\"three.cl.test\"], \"addresses\": [\"127.0.8.7\"], \"backend\": \"local\","
                + " \"process\": {\"command\": [\"busybox\", \"sleep\", \"600\"]}, \"readiness\": [{\"delay\": \"1ms\"}]}";
        String admin = "http://127.0.0.1:" + a.adminAddress().orElseThrow().getPort() + "/api/services/three";
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .proxy(java.net.http.HttpClient.Builder.NO_PROXY).build();
        Cluster.until("the registration is stored once etcd is back", () -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(admin))
                        .timeout(Duration.ofSeconds(20)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(spec))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        Cluster.until("ns2's watch resumed and registered three", () -> b.pipeline().core().status("three").isPresent());

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<CompletableFuture<String>> digs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int port = i % 2 == 0 ? portA : portB;
                digs.add(CompletableFuture.supplyAsync(() -> query(port, "three.cl.test", 15), pool));
            }
            for (CompletableFuture<String> d : digs) {
                assertThat(d.get()).isEqualTo("127.0.8.7");
            }
        } finally {
            pool.shutdown();
        }
        assertThat(a.pipeline().core().status("three").orElseThrow().boots()
                + b.pipeline().core().status("three").orElseThrow().boots()).as("no duplicate boot after the restart")
                .isEqualTo(1);
        assertThat(b.pipeline().core().status("one").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
    }

    @Test
    void trafficOnOneInstanceKeepsTheServiceUpThenOnlyTheOwnerStopsIt() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        String services = String.join("\n",
                EtcdExtension.sleeper("idle", "idle.cl.test", "127.0.8.8", "idle-timeout: 3s"),
                "");
        JitsuServer a = cluster.start(Cluster.withIdleTicks(config("ns1", portA, services)));
        JitsuServer b = cluster.start(Cluster.withIdleTicks(config("ns2", portB, services)));
        assertThat(query(portA, "idle.cl.test", 10)).as("booted by ns1").isEqualTo("127.0.8.8");
        assertThat(query(portB, "idle.cl.test", 10)).isEqualTo("127.0.8.8");
        Path pid = dir.resolve("ns1/local/pids/idle.pid");
        assertThat(pid).exists();
        assertThat(a.pipeline().core().status("idle").orElseThrow().boots()).isEqualTo(1);

        // queries on ns2 only, every 250 ms for 9 s: three idle periods of ns1's own silence
        java.util.concurrent.ScheduledExecutorService traffic = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        List<String> strays = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            traffic.scheduleAtFixedRate(() -> {
                try {
                    if (!query(portB, "idle.cl.test", 2).equals("127.0.8.8")) {
                        wrong.incrementAndGet();
                    }
                } catch (AssertionError e) { // a stray datagram on the query's socket: counted, traffic goes on
                    strays.add(e.getMessage());
                    wrong.incrementAndGet();
                }
                done.incrementAndGet();
            }, 0, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
            Cluster.until("36 queries on ns2", () -> done.get() >= 36);
        } finally {
            traffic.shutdownNow();
            assertThat(traffic.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(wrong.get()).as("queries on ns2 without the address %s", strays).isZero();
        assertThat(a.pipeline().core().status("idle").orElseThrow().state()).as("kept up by ns2's traffic")
                .isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(a.pipeline().core().status("idle").orElseThrow().boots()).isEqualTo(1);
        assertThat(b.pipeline().core().status("idle").orElseThrow().boots()).isZero();

        // silence everywhere: the owner stops it, the other instance forgets it
        Cluster.until("ns1 stops the idle service", () -> a.pipeline().core().status("idle").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        Cluster.until("ns2 forgets it", () -> b.pipeline().core().status("idle").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        assertThat(dir.resolve("ns2/local/pids/idle.pid")).as("ns2 never started it").doesNotExist();
    }

    private static String query(int port, String name, int seconds) {
        return Cluster.query(port, name, seconds);
    }
}
