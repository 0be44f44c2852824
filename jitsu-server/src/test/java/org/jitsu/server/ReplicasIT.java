package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.UdpDns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replicated service on the real server with real clients: kdig with EDNS Client Subnet gets, per
 * subnet, one running replica, with the subnet echoed and its whole prefix as the answer's scope; load
 * boots a second replica that no answer names before it is ready, and quiet stops it again.
 */
@Tag("native")
class ReplicasIT {
    private static final Pattern ECS = Pattern.compile("CLIENT-SUBNET: ([0-9a-f.:]+)/(\\d+)/(\\d+)");

    @TempDir
    Path dir;

    @Test
    void eachClientSubnetGetsItsRunningReplicaWithTheRightScope() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n", head(port, "admin: {enabled: false}", dir),
                "    addresses: [127.0.7.1, 127.0.7.2, 127.0.7.3]",
                "    ttl: 5",
                "    replicas: {min: 3, max: 3, answer: client}",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "replicas.yml")).start()) {
            try {
                DnsTools.Result first = DnsTools.kdig("127.0.0.1", port, "+subnet=198.51.100.0/24", "home.rep.test", "A");
                assertThat(first.stdout()).contains("127.0.7.1");
                // min 3: the scaler boots one more replica per idle tick until three run
                Await.until("three replicas running", Duration.ofSeconds(20), () -> server.pipeline().core().statuses()
                        .stream().filter(s -> s.state() == ServiceStatus.State.RUNNING).count() == 3);

                Map<String, String> replicaOf = new HashMap<>();
                for (int i = 1; i <= 24; i++) {
                    String subnet = "203.0." + i + ".0/24";
                    DnsTools.Result r = DnsTools.kdig("127.0.0.1", port, "+subnet=" + subnet, "home.rep.test", "A");
                    assertThat(r.exitCode()).isZero();
                    Matcher ecs = ECS.matcher(r.stdout());
                    assertThat(ecs.find()).as("the subnet is echoed: %s", r.stdout()).isTrue();
                    assertThat(ecs.group(1) + "/" + ecs.group(2)).isEqualTo("203.0." + i + ".0/24");
                    assertThat(ecs.group(3)).as("scope: the whole source prefix").isEqualTo("24");
                    String address = address(r.stdout());
                    replicaOf.put(subnet, address);
                    DnsTools.Result again = DnsTools.kdig("127.0.0.1", port, "+subnet=" + subnet, "home.rep.test", "A");
                    assertThat(address(again.stdout())).as("the same subnet, the same replica").isEqualTo(address);
                }
                Set<String> used = new HashSet<>(replicaOf.values());
                assertThat(used).as("24 subnets over 3 replicas").hasSizeGreaterThan(1)
                        .allMatch(a -> a.startsWith("127.0.7."));
            } finally {
                server.close(true);
            }
        }
    }

    /**
     * The start of a config with zone {@code rep.test} and a process backend, idle ticks every 200 ms,
     * and the first two lines of service {@code home} ({@code home.rep.test}); the caller adds the rest.
     */
    static String head(int port, String admin, Path dir) {
        return String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + port + "}",
                admin,
                "state-dir: \"" + dir.resolve("run") + "\"",
                "idle: {check-interval: 200ms}",
                "zones: [{name: rep.test, nameservers: [ns1.rep.test], hosts: {ns1.rep.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                "  - id: home",
                "    names: [home.rep.test]");
    }

    private static String address(String kdigOutput) {
        Matcher m = Pattern.compile("home\\.rep\\.test\\.\\s+\\d+\\s+IN\\s+A\\s+(\\S+)").matcher(kdigOutput);
        assertThat(m.find()).as("an A record in %s", kdigOutput).isTrue();
        return m.group(1);
    }

    /**
     * Queries for {@code home.rep.test} from one socket, 50 at a time, until {@code until} holds (or
     * 2,000 were sent); the addresses every reply carried, in the order of the ids.
     */
    private static List<String> load(int port, BooleanSupplier until) {
        List<String> seen = new ArrayList<>();
        try (UdpDns dns = UdpDns.open("127.0.0.1", port)) {
            int id = 1;
            while (id <= 2000 && !until.getAsBoolean()) {
                for (int i = 0; i < 50; i++) {
                    dns.send(id++, "home.rep.test", UdpDns.A);
                }
                dns.drain(20);
            }
            dns.drain(200);
            for (UdpDns.Reply r : dns.replies().values()) {
                seen.addAll(r.addresses());
            }
        }
        return seen;
    }

    @Test
    void loadBootsAReplicaThatIsGivenOutOnlyOnceReadyAndQuietStopsItAgain() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        int gate = JitsuServerExtension.freePort("127.0.7.12");
        String yaml = String.join("\n", head(port, "admin: {enabled: false}", dir),
                "    addresses: [127.0.7.11, 127.0.7.12]",
                "    ttl: 1",
                "    replicas: {min: 1, max: 2, target-qps: 20}",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    readiness: [{tcp: \"${address}:" + gate + "\"}]", // replica 2 is ready once the test opens its port
                "    boot-timeout: 60s",
                "");
        try (ServerSocket first = new ServerSocket(gate, 50, InetAddress.getByName("127.0.7.11"));
             JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "replicas.yml")).start()) {
            try {
                OnDemandCore core = server.pipeline().core();
                assertThat(DnsTools.dig("127.0.0.1", port, "+short", "home.rep.test").stdout().trim())
                        .isEqualTo("127.0.7.11");
                List<String> whileBooting = load(port, () -> state(core, "home.r2") == ServiceStatus.State.BOOTING);
                assertThat(state(core, "home.r2")).as("the load boots replica 2").isEqualTo(ServiceStatus.State.BOOTING);
                whileBooting.addAll(load(port, () -> false)); // more load while it boots: 2,000 queries
                assertThat(whileBooting).as("a booting replica is never given out").isNotEmpty()
                        .containsOnly("127.0.7.11");

                try (ServerSocket second = new ServerSocket(gate, 50, InetAddress.getByName("127.0.7.12"))) {
                    Await.until("replica 2 ready", () -> state(core, "home.r2") == ServiceStatus.State.RUNNING);
                    assertThat(load(port, () -> false)).as("both replicas take the load")
                            .contains("127.0.7.11", "127.0.7.12");
                    Await.until("replica 2 stopped once quiet", () -> state(core, "home.r2") == ServiceStatus.State.STOPPED);
                    assertThat(state(core, "home.r1")).isEqualTo(ServiceStatus.State.RUNNING);
                    assertThat(DnsTools.dig("127.0.0.1", port, "+short", "home.rep.test").stdout().trim())
                            .isEqualTo("127.0.7.11");
                }
            } finally {
                server.close(true);
            }
        }
    }

    @Test
    void nearestGivesEachClientSubnetItsSitesReplica() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n", head(port, "admin: {enabled: false}", dir),
                "    addresses: [127.0.7.21, 127.0.7.22, 127.0.7.23]",
                "    ttl: 5",
                "    replicas: {min: 3, max: 3, answer: nearest, sites: {\"203.0.113.0/24\": [2],"
                        + " \"198.51.0.0/16\": [3, 2]}}",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "nearest.yml")).start()) {
            try {
                DnsTools.kdig("127.0.0.1", port, "home.rep.test", "A");
                Await.until("three replicas running", Duration.ofSeconds(20), () -> server.pipeline().core().statuses()
                        .stream().filter(s -> s.state() == ServiceStatus.State.RUNNING).count() == 3);
                Map<String, String> expected = Map.of("203.0.113.0/24", "127.0.7.22", "198.51.100.0/24", "127.0.7.23",
                        "198.51.7.0/24", "127.0.7.23");
                for (Map.Entry<String, String> e : expected.entrySet()) {
                    DnsTools.Result r = DnsTools.kdig("127.0.0.1", port, "+subnet=" + e.getKey(), "home.rep.test", "A");
                    assertThat(address(r.stdout())).as("subnet %s", e.getKey()).isEqualTo(e.getValue());
                    Matcher ecs = ECS.matcher(r.stdout());
                    assertThat(ecs.find()).isTrue();
                    assertThat(ecs.group(3)).as("scope: the table's longest IPv4 row").isEqualTo("24");
                }
                DnsTools.Result wide = DnsTools.kdig("127.0.0.1", port, "+subnet=198.51.0.0/16", "home.rep.test", "A");
                Matcher ecs = ECS.matcher(wide.stdout());
                assertThat(ecs.find()).isTrue();
                assertThat(ecs.group(3)).as("a /16 source: the answer depends on /24 rows, so scope 24").isEqualTo("24");
            } finally {
                server.close(true);
            }
        }
    }

    @Test
    void aTemplatesInstancesHaveTheirOwnReplicas() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + port + "}",
                "admin: {enabled: false}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "idle: {check-interval: 200ms}",
                "zones: [{name: rep.test, nameservers: [ns1.rep.test], hosts: {ns1.rep.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "templates:",
                "  - id: pages",
                "    pattern: \"{page}.pages.rep.test\"",
                "    pool: [127.0.8.0/24]",
                "    ttl: 5",
                "    replicas: {min: 2, max: 2}",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                "    budget: {per-client-per-minute: 0}",
                "");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "template-replicas.yml")).start()) {
            try {
                OnDemandCore core = server.pipeline().core();
                String first = DnsTools.dig("127.0.0.1", port, "+short", "a.pages.rep.test").stdout().trim();
                assertThat(first).startsWith("127.0.8.");
                // min 2: the template's tick boots the instance's second replica
                Await.until("both replicas of pages.a", () -> core.status("pages.a.r2").map(ServiceStatus::state)
                        .orElse(ServiceStatus.State.STOPPED) == ServiceStatus.State.RUNNING);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    seen.add(DnsTools.dig("127.0.0.1", port, "+short", "a.pages.rep.test").stdout().trim());
                }
                assertThat(seen).as("round robin over the instance's two replicas").hasSize(2).contains(first);
                String other = DnsTools.dig("127.0.0.1", port, "+short", "b.pages.rep.test").stdout().trim();
                assertThat(other).startsWith("127.0.8.").isNotIn(seen);
                assertThat(core.statuses()).extracting(ServiceStatus::id)
                        .contains("pages.a.r1", "pages.a.r2", "pages.b.r1", "pages.b.r2");
            } finally {
                server.close(true);
            }
        }
    }

    private static ServiceStatus.State state(OnDemandCore core, String id) {
        return core.status(id).orElseThrow().state();
    }
}
