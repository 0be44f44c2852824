package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.Closer;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.Netns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real recursive resolver in front of a replicated service: Debian's unbound, with its subnet
 * module sending each client's /24 as EDNS Client Subnet, and Jitsu (its own JVM), both in a network
 * namespace of the test's own with only {@code lo}. Each client subnet gets one running replica; a
 * second client of the same /24 gets the same answer from unbound's cache, and Jitsu sees one query
 * per /24: the answer's scope kept unbound from caching it for everyone.
 */
@Tag("native")
class ResolverEcsIT {
    private static final int JITSU_PORT = 5300;
    private static final int UNBOUND_PORT = 5301;
    private static final int ADMIN_PORT = 8054;
    private static final Pattern UDP_A = Pattern.compile(
            "jitsu_dns_queries_total\\{rcode=\"NOERROR\",transport=\"udp\",type=\"A\"} ([0-9.]+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final Closer open = new Closer();

    private Netns netns;

    private DnsTools.Result run(String... command) {
        return netns.run(command);
    }

    /** {@code dig} through unbound from source address {@code from}: the A records, one a line. */
    private String viaResolver(String from) {
        return run("dig", "@127.0.0.1", "-p", Integer.toString(UNBOUND_PORT), "-b", from, "+short", "+time=5",
                "+tries=1", "home.rep.test", "A").stdout().trim();
    }

    private double queriesJitsuAnswered() {
        Matcher m = UDP_A.matcher(run("curl", "-s", "--noproxy", "*", "http://127.0.0.1:" + ADMIN_PORT + "/metrics")
                .stdout());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void eachClientSubnetGetsItsReplicaAndUnboundCachesTheAnswerForThatSubnetOnly() throws Exception {
        netns = open.add(Netns.create("jitsu-ecs", dir));
        Path jitsu = Files.writeString(dir.resolve("jitsu.yml"), String.join("\n",
                ReplicasIT.head(JITSU_PORT, "admin: {address: \"127.0.0.1:" + ADMIN_PORT + "\"}", dir),
                "    addresses: [127.0.7.1, 127.0.7.2, 127.0.7.3]",
                "    ttl: 300",
                "    replicas: {min: 3, max: 3, answer: client}",
                "    backend: local",
                "    process: {command: [busybox, sleep, \"600\"]}",
                ""));
        Path unbound = Files.writeString(dir.resolve("unbound.conf"), Netns.unboundConfig(dir, UNBOUND_PORT,
                "rep.test", JITSU_PORT, "module-config: \"subnetcache iterator\"", "send-client-subnet: 127.0.0.1",
                "client-subnet-always-forward: yes", "max-client-subnet-ipv4: 24"));
        netns.startJitsu(jitsu);
        netns.start("unbound", "unbound", "-d", "-c", unbound.toString());
        Await.until("Jitsu answers in the namespace", Duration.ofSeconds(60), () -> run("dig", "@127.0.0.1", "-p",
                Integer.toString(JITSU_PORT), "+short", "+time=1", "+tries=1", "home.rep.test").stdout()
                .contains("127.0.7."));
        Await.until("three replicas running", Duration.ofSeconds(30), () -> run("curl", "-s", "--noproxy", "*",
                "http://127.0.0.1:" + ADMIN_PORT + "/api/services").stdout().split("\"RUNNING\"", -1).length - 1 == 3);
        Await.until("unbound answers", Duration.ofSeconds(30), () -> viaResolver("127.0.0.2").startsWith("127.0.7."));
        double before = queriesJitsuAnswered();

        Map<Integer, String> bySubnet = new TreeMap<>();
        for (int subnet = 10; subnet < 22; subnet++) {
            String first = viaResolver("127.0." + subnet + ".5");
            assertThat(first).as("subnet %d", subnet).matches("127\\.0\\.7\\.[123]");
            assertThat(viaResolver("127.0." + subnet + ".9")).as("another client of the same /24").isEqualTo(first);
            bySubnet.put(subnet, first);
        }
        assertThat(queriesJitsuAnswered() - before)
                .as("one query per /24 reached Jitsu: the second client of each was served from unbound's cache")
                .isEqualTo(12);
        Set<String> replicas = new HashSet<>(bySubnet.values());
        assertThat(replicas).as("12 subnets spread over the replicas: %s", bySubnet).hasSizeGreaterThan(1);
    }
}
