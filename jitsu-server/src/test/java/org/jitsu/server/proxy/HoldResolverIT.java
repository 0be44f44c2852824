package org.jitsu.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.Closer;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.Netns;
import org.jitsu.server.testing.Prometheus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real recursive resolver in front of a service answered at once, and a real HTTP client behind the
 * answer: Debian's unbound and Jitsu (its own JVM) in a network namespace of the test's own with only
 * {@code lo}, so that the kernel's TCP counters there count this test's connections alone. Two busybox
 * httpd services whose readiness waits 3 s: {@code slow} answered at once with its front, {@code patient}
 * answered when ready (the default), side by side.
 */
@Tag("native")
class HoldResolverIT {
    private static final int JITSU_PORT = 5300;
    private static final int UNBOUND_PORT = 5301;
    private static final int ADMIN_PORT = 8054;
    private static final Pattern ANSWER_A = Pattern.compile("(?m)^\\S+\\s+\\d+\\s+IN\\s+A\\s+(\\S+)$");

    @TempDir
    Path dir;

    @RegisterExtension
    final Closer open = new Closer();

    private Netns netns;

    @Test
    void unboundGetsTheFrontBeforeTheBootEndsFromOneQueryAndCurlIsHeldWithoutASynRetransmit() throws Exception {
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "slow but there\n");
        netns = open.add(Netns.create("jitsu-hold", dir));
        Path jitsu = Files.writeString(dir.resolve("jitsu.yml"), String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + JITSU_PORT + "}",
                "admin: {address: \"127.0.0.1:" + ADMIN_PORT + "\"}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "zones: [{name: hold.test, nameservers: [ns1.hold.test], hosts: {ns1.hold.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                httpd("slow", "127.0.0.2", dir),
                "    answer: at-once",
                "    hold: {front: [127.0.0.3], ports: [{port: 8080, to: 8080, http: true}]}",
                httpd("patient", "127.0.0.4", dir),
                ""));
        Path unbound = Files.writeString(dir.resolve("unbound.conf"),
                Netns.unboundConfig(dir, UNBOUND_PORT, "hold.test", JITSU_PORT));
        netns.startJitsu(jitsu);
        netns.start("unbound", "unbound", "-d", "-c", unbound.toString());
        Await.until("Jitsu answers in the namespace", Duration.ofSeconds(60),
                () -> dig(JITSU_PORT, "ns1.hold.test").contains("127.0.0.1"));
        Await.until("unbound answers", Duration.ofSeconds(30),
                () -> dig(UNBOUND_PORT, "ns1.hold.test").contains("127.0.0.1"));
        long synRetrans = netns.counter("TcpExtTCPSynRetrans");
        long listenDrops = netns.counter("TcpExtListenDrops");

        long tw = System.nanoTime();
        netns.run("dig", "@127.0.0.1", "-p", Integer.toString(UNBOUND_PORT), "+time=5", "+tries=2", "ns1.hold.test",
                "AAAA"); // not in unbound's cache yet, answered by Jitsu without a boot: the warm baseline
        double warmMs = (System.nanoTime() - tw) / 1e6;
        double before = queriesJitsuAnswered();
        long t0 = System.nanoTime();
        String atOnce = stub("slow.hold.test");
        double atOnceMs = (System.nanoTime() - t0) / 1e6;
        assertThat(addresses(atOnce)).as("through unbound: the front").isEqualTo("127.0.0.3");
        assertThat(state("slow")).as("answered while the service boots").isEqualTo("BOOTING");
        assertThat(queriesJitsuAnswered() - before).as("queries unbound sent Jitsu for the at-once name").isEqualTo(1);

        DnsTools.Result curl = netns.run("curl", "-s", "--noproxy", "*", "--max-time", "20", "-o", "/dev/null", "-w",
                "%{http_code} %{time_connect} %{time_starttransfer}", "http://127.0.0.3:8080/");
        assertThat(curl.exitCode()).as("curl exit status; stderr: %s", curl.stderr()).isZero();
        String[] figures = curl.stdout().trim().split(" ");
        assertThat(figures[0]).isEqualTo("200");
        assertThat(netns.counter("TcpExtTCPSynRetrans") - synRetrans).as("SYN retransmissions").isZero();
        assertThat(netns.counter("TcpExtListenDrops") - listenDrops).as("SYNs dropped by a full listen queue").isZero();

        double middle = queriesJitsuAnswered();
        long t1 = System.nanoTime();
        String whenReady = stub("patient.hold.test");
        double whenReadyMs = (System.nanoTime() - t1) / 1e6;
        assertThat(addresses(whenReady)).as("when-ready: the service itself, after its boot; dig: %s", whenReady)
                .isEqualTo("127.0.0.4");
        double patientQueries = queriesJitsuAnswered() - middle;
        System.out.printf("HoldResolverIT: a stub (5 s, 2 tries) through unbound: a warm name %.1f ms, at-once answered in %.1f ms "
                        + "from 1 query to Jitsu, curl connected in %s s and got its first byte at %s s; when-ready answered "
                        + "in %.1f ms after %.0f queries to Jitsu%n", warmMs, atOnceMs, figures[1], figures[2], whenReadyMs,
                patientQueries);
    }

    private static String httpd(String id, String address, Path dir) {
        return String.join("\n",
                "  - id: " + id,
                "    names: [" + id + ".hold.test]",
                "    addresses: [" + address + "]",
                "    ttl: 10",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"" + address + ":8080\", -h, \"" + dir.resolve("www") + "\"]}",
                "    readiness: [{delay: 3s}, {http: \"http://" + address + ":8080/\"}]",
                "    boot-timeout: 20s");
    }

    /**
     * What a stub resolver does (glibc's defaults: 5 s, 2 tries) through unbound. Unbound gives no reply
     * to a query it has worked on for longer than its {@code discard-timeout} (1.9 s by default): the
     * stub's second try is answered from unbound's cache.
     */
    private String stub(String name) {
        return netns.run("dig", "@127.0.0.1", "-p", Integer.toString(UNBOUND_PORT), "+time=5", "+tries=2", name, "A")
                .stdout();
    }

    private String dig(int port, String name) {
        return netns.run("dig", "@127.0.0.1", "-p", Integer.toString(port), "+time=10", "+tries=1", name, "A").stdout();
    }

    private static String addresses(String digOutput) {
        Matcher m = ANSWER_A.matcher(digOutput);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            b.append(b.length() == 0 ? "" : " ").append(m.group(1));
        }
        return b.toString();
    }

    private double queriesJitsuAnswered() {
        return Prometheus.parse(admin("/metrics")).value("jitsu_dns_queries_total", "transport", "udp", "type", "A",
                "rcode", "NOERROR");
    }

    private String state(String id) {
        Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"" + id + "\"[^}]*?\"state\"\\s*:\\s*\"([A-Z]+)\"")
                .matcher(admin("/api/services"));
        return m.find() ? m.group(1) : "?";
    }

    private String admin(String path) {
        return netns.run("curl", "-s", "--noproxy", "*", "http://127.0.0.1:" + ADMIN_PORT + path).stdout();
    }
}
