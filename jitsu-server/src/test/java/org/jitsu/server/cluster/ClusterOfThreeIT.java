package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three Jitsu instances sharing a real etcd ({@link Cluster}); the owner of a service runs in a JVM of its
 * own so that it can die by SIGKILL, and its process (a busybox, in its own session) outlives it: the
 * other instances adopt that very process instead of starting another.
 */
@Tag("etcd")
class ClusterOfThreeIT {
    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension();

    @RegisterExtension
    @Order(2)
    final Cluster cluster = new Cluster(etcd, "/three/");


    @Test
    void fiveHundredQueriesForAColdNameSpreadOverThreeInstancesBootItOnce() throws Exception {
        int web = JitsuServerExtension.freePort("127.0.8.12");
        Files.createDirectories(cluster.dir().resolve("www"));
        Files.writeString(cluster.dir().resolve("www/index.html"), "three\n");
        String services = String.join("\n",
                "  - id: www",
                "    names: [www.cl.test]",
                "    addresses: [127.0.8.12]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.8.12:" + web + "\", -h, \""
                        + cluster.dir().resolve("www") + "\"]}",
                "    readiness: [{http: \"http://127.0.8.12:" + web + "/\"}]",
                "");
        int[] ports = new int[3];
        JitsuServer[] servers = new JitsuServer[3];
        for (int i = 0; i < 3; i++) {
            ports[i] = JitsuServerExtension.freePort("127.0.0.1");
            servers[i] = cluster.start(cluster.config("ns" + (i + 1), ports[i], services));
        }

        List<String> answers = Cluster.burst("www.cl.test", 500, ports);
        assertThat(answers).hasSize(500).as("every query gets the address").containsOnly("127.0.8.12");
        long boots = 0;
        for (JitsuServer s : servers) {
            ServiceStatus st = s.pipeline().core().status("www").orElseThrow();
            assertThat(st.state()).isEqualTo(ServiceStatus.State.RUNNING);
            boots += st.boots();
        }
        assertThat(boots).as("one boot across the three instances").isEqualTo(1);
        assertThat(cluster.pidFiles()).as("one httpd started (pidfiles of the three instances)").isEqualTo(1);
    }

    @Test
    void theOwnerKilledWhileItsServiceRunsTheOthersAdoptTheSameProcessAndStopItWhenIdle() throws Exception {
        int[] ports = {JitsuServerExtension.freePort("127.0.0.1"), JitsuServerExtension.freePort("127.0.0.1"),
            JitsuServerExtension.freePort("127.0.0.1")};
        String services = String.join("\n",
                EtcdExtension.sleeper("kept", "kept.cl.test", "127.0.8.13", "idle-timeout: 3s"),
                "");
        Process owner = cluster.startChild("ns1", ports[0],
                Cluster.withIdleTicks(cluster.config("ns1", ports[0], services)));
        JitsuServer b = cluster.start(Cluster.withIdleTicks(cluster.config("ns2", ports[1], services)));
        JitsuServer c = cluster.start(Cluster.withIdleTicks(cluster.config("ns3", ports[2], services)));

        assertThat(Cluster.query(ports[0], "kept.cl.test", 10)).as("booted by ns1").isEqualTo("127.0.8.13");
        long pid = Cluster.pid(cluster.pidFile("ns1", "kept")).orElseThrow();
        assertThat(Cluster.query(ports[1], "kept.cl.test", 10)).isEqualTo("127.0.8.13");
        assertThat(b.pipeline().core().status("kept").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);

        Cluster.kill(owner); // SIGKILL: its lease expires after 2 s; its busybox sleep keeps running
        assertThat(Cluster.alive(pid)).isTrue();
        Cluster.until("ns2 or ns3 adopted ns1's process", () -> adopter(pid).isPresent());
        String adopter = adopter(pid).orElseThrow();
        JitsuServer adopting = adopter.equals("ns2") ? b : c;
        JitsuServer other = adopter.equals("ns2") ? c : b;
        String otherName = adopter.equals("ns2") ? "ns3" : "ns2";

        // a query on each survivor is answered with the adopted process: no second one
        assertThat(Cluster.query(ports[1], "kept.cl.test", 10)).isEqualTo("127.0.8.13");
        assertThat(Cluster.query(ports[2], "kept.cl.test", 10)).isEqualTo("127.0.8.13");
        assertThat(cluster.pidFile(otherName, "kept")).as("the other survivor started nothing").doesNotExist();
        assertThat(b.pipeline().core().status("kept").orElseThrow().boots()
                + c.pipeline().core().status("kept").orElseThrow().boots()).as("adopted, not booted").isZero();
        assertThat(adopting.pipeline().core().status("kept").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(Cluster.alive(pid)).isTrue();

        // no more queries: the adopter stops it when idle, the other forgets it
        Cluster.until("the adopter stops the process when idle", () -> !Cluster.alive(pid));
        Cluster.until("the adopter says stopped", () -> adopting.pipeline().core().status("kept").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        Cluster.until("the other forgets it", () -> other.pipeline().core().status("kept").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        assertThat(cluster.pidFile(adopter, "kept")).doesNotExist();
    }

    @Test
    void theOwnerKilledMidBootTheOthersAdoptTheHalfStartedProcessAndFinishTheBoot() throws Exception {
        int[] ports = {JitsuServerExtension.freePort("127.0.0.1"), JitsuServerExtension.freePort("127.0.0.1"),
            JitsuServerExtension.freePort("127.0.0.1")};
        int gate = JitsuServerExtension.freePort("127.0.8.14");
        String services = Cluster.gatedSleeper("slow", "127.0.8.14", gate);
        Process owner = cluster.startChild("ns1", ports[0], cluster.config("ns1", ports[0], services));
        JitsuServer b = cluster.start(cluster.config("ns2", ports[1], services));
        JitsuServer c = cluster.start(cluster.config("ns3", ports[2], services));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CompletableFuture<String> onA = CompletableFuture.supplyAsync(() -> Cluster.query(ports[0], "slow.cl.test", 5),
                    pool);
            Path pidA = cluster.pidFile("ns1", "slow");
            Cluster.until("ns1 claimed the boot and started its process", () -> Cluster.pid(pidA).isPresent());
            long pid = Cluster.pid(pidA).orElseThrow();
            // the owner records its VM once start() returns, a moment after the pid file: killed before
            // that, it leaves a process nobody knows of (README, limits), which is not this test's case
            Cluster.until("ns1 recorded its VM in etcd", () -> cluster.vmRecord("slow").isPresent());
            CompletableFuture<String> onB = CompletableFuture.supplyAsync(() -> Cluster.query(ports[1], "slow.cl.test", 40),
                    pool);
            CompletableFuture<String> onC = CompletableFuture.supplyAsync(() -> Cluster.query(ports[2], "slow.cl.test", 40),
                    pool);
            Cluster.until("ns2 and ns3 wait for ns1's boot", () ->
                    b.pipeline().core().status("slow").orElseThrow().state() == ServiceStatus.State.BOOTING
                    && c.pipeline().core().status("slow").orElseThrow().state() == ServiceStatus.State.BOOTING);

            Cluster.kill(owner);
            Cluster.until("ns2 or ns3 adopted the half-started process", () -> adopter(pid).isPresent());
            assertThat(onB.isDone()).as("not ready yet: the adopter runs the readiness checks").isFalse();
            try (java.net.ServerSocket open = Cluster.openGate("127.0.8.14", gate)) {
                assertThat(onB.get()).isEqualTo("127.0.8.14");
                assertThat(onC.get()).isEqualTo("127.0.8.14");
            }
            String otherName = adopter(pid).orElseThrow().equals("ns2") ? "ns3" : "ns2";
            assertThat(cluster.pidFile(otherName, "slow")).as("the other survivor started nothing").doesNotExist();
            assertThat(Cluster.alive(pid)).isTrue();
            assertThat(b.pipeline().core().status("slow").orElseThrow().boots()
                    + c.pipeline().core().status("slow").orElseThrow().boots()).isZero();
            assertThat(b.pipeline().core().status("slow").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(c.pipeline().core().status("slow").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            onA.handle((r, e) -> null).get(); // ns1's dig ended one way or the other (its server died)
        } finally {
            pool.shutdownNow();
        }
    }

    /** The survivor (ns2 or ns3) whose pidfile names {@code pid}. */
    private Optional<String> adopter(long pid) {
        for (String name : List.of("ns2", "ns3")) {
            if (Cluster.pid(cluster.pidFile(name, "kept")).orElse(-1L) == pid
                    || Cluster.pid(cluster.pidFile(name, "slow")).orElse(-1L) == pid) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
