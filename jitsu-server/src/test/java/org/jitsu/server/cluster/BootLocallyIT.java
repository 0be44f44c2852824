package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code store.etcd.on-unavailable: boot-locally} with two Jitsu instances and a real etcd that is
 * killed (SIGKILL) and restarted: cold queries boot locally and are answered; once etcd is back, the
 * instance that booted alone claims the service (the other answers without booting), and a service
 * both booted meanwhile keeps one claim while both copies run until it is idle everywhere.
 * ({@code refuse} is {@code ClusterIT}'s.)
 */
@Tag("etcd")
class BootLocallyIT {
    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();

    @TempDir
    Path dir;

    private final List<JitsuServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        for (JitsuServer s : servers) {
            s.close(true);
        }
    }

    private JitsuServer instance(String name, int port) throws Exception {
        String yaml = String.join("\n",
                EtcdExtension.configHead(port, dir.resolve(name), "endpoints: [\"" + etcd.endpoint()
                        + "\"], prefix: /local-it/, instance-id: " + name
                        + ", lease-ttl: 2s, on-unavailable: boot-locally"),
                "idle: {check-interval: 250ms}",
                "zones: [{name: bl.test, nameservers: [ns1.bl.test], hosts: {ns1.bl.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                service("solo", "127.0.8.20", "10m"),
                service("dup", "127.0.8.21", "3s"),
                "");
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(Files.writeString(dir.resolve(name + ".yml"), yaml)))
                .startTimeout(Duration.ofSeconds(20)).start();
        servers.add(s);
        return s;
    }

    private static String service(String id, String address, String idle) {
        return EtcdExtension.sleeper(id, id + ".bl.test", address, "idle-timeout: " + idle);
    }

    @Test
    void bootsLocallyWhileEtcdIsDownThenClaimsOnReconnectionAndADuplicateRunsUntilIdle() throws Exception {
        int portA = JitsuServerExtension.freePort("127.0.0.1");
        int portB = JitsuServerExtension.freePort("127.0.0.1");
        JitsuServer a = instance("ns1", portA);
        JitsuServer b = instance("ns2", portB);

        etcd.kill();
        // three cold queries at once: each claim fails after the call bound, then each boots locally
        CompletableFuture<String> solo = CompletableFuture.supplyAsync(() -> query(portA, "solo"));
        CompletableFuture<String> dupA = CompletableFuture.supplyAsync(() -> query(portA, "dup"));
        CompletableFuture<String> dupB = CompletableFuture.supplyAsync(() -> query(portB, "dup"));
        assertThat(solo.get()).as("boot-locally: answered while etcd is down").isEqualTo("127.0.8.20");
        assertThat(dupA.get()).isEqualTo("127.0.8.21");
        assertThat(dupB.get()).isEqualTo("127.0.8.21");
        assertThat(a.pipeline().core().status("solo").orElseThrow().boots()).isEqualTo(1);
        assertThat(a.pipeline().core().status("dup").orElseThrow().boots()).isEqualTo(1);
        assertThat(b.pipeline().core().status("dup").orElseThrow().boots()).as("booted on both: the risk taken")
                .isEqualTo(1);

        // queries for dup on both instances keep both copies up while etcd comes back
        java.util.concurrent.ScheduledExecutorService traffic = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        java.util.List<String> strays = new java.util.concurrent.CopyOnWriteArrayList<>();
        traffic.scheduleWithFixedDelay(() -> {
            try {
                query(portA, "dup");
                query(portB, "dup");
            } catch (AssertionError e) { // a stray datagram on a query's socket: kept, traffic goes on
                strays.add(e.getMessage());
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        try {
            etcd.restart();
            await("ns1 claims solo once etcd is back", () -> claim("solo").equals("running ns1"));
            await("ns1's record of solo is saved", () -> etcd.etcdctl("get", "/local-it/state/ns1/solo",
                    "--print-value-only").startsWith("state=RUNNING owner=ns1"));
            String dupOwner = awaitValue("one of the two holds the claim of dup", () -> claim("dup"));
            assertThat(dupOwner).isIn("running ns1", "running ns2");

            assertThat(query(portB, "solo")).as("ns2 answers solo from ns1's claim").isEqualTo("127.0.8.20");
            ServiceStatus soloB = b.pipeline().core().status("solo").orElseThrow();
            assertThat(soloB.boots()).as("without booting it").isZero();
            assertThat(soloB.state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(dir.resolve("ns2/local/pids/solo.pid")).doesNotExist();

            // both copies of dup run while it is queried
            assertThat(a.pipeline().core().status("dup").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(b.pipeline().core().status("dup").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(a.pipeline().core().status("dup").orElseThrow().boots()
                    + b.pipeline().core().status("dup").orElseThrow().boots()).as("no third boot").isEqualTo(2);
        } finally {
            traffic.shutdownNow();
            assertThat(traffic.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(strays).as("datagrams on the traffic's sockets that were not their replies").isEmpty();
        // then, idle everywhere (3 s), each instance stops its own copy
        await("both stop dup when idle", () -> a.pipeline().core().status("dup").orElseThrow().state()
                == ServiceStatus.State.STOPPED && b.pipeline().core().status("dup").orElseThrow().state()
                == ServiceStatus.State.STOPPED);
        await("the claim of dup is released by its holder", () -> claim("dup").isEmpty());
        assertThat(dir.resolve("ns1/local/pids/dup.pid")).doesNotExist();
        assertThat(dir.resolve("ns2/local/pids/dup.pid")).doesNotExist();
        assertThat(claim("solo")).as("solo is not idle yet").isEqualTo("running ns1");

        assertThat(query(portB, "dup")).as("booted once again, now with a claim").isEqualTo("127.0.8.21");
        assertThat(claim("dup")).isEqualTo("running ns2");
    }

    private String claim(String id) {
        return etcd.etcdctl("get", "/local-it/claims/" + id, "--print-value-only").strip();
    }

    private static String query(int port, String id) {
        return Cluster.query(port, id + ".bl.test", 20);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition);
    }

    private static String awaitValue(String what, java.util.function.Supplier<String> value) {
        String[] last = {""};
        await(what, () -> !(last[0] = value.get()).isEmpty());
        return last[0];
    }
}
