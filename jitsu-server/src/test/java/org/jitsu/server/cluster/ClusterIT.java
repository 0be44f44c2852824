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
                "  - id: www",
                "    names: [www.cl.test]",
                "    addresses: [127.0.8.2]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.8.2:" + webPort + "\", -h, \""
                        + dir.resolve("www") + "\"]}",
                "    readiness: [{http: \"http://127.0.8.2:" + webPort + "/\"}]",
                "");
        Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(file)).startTimeout(Duration.ofSeconds(20)).start();
        servers.add(s);
        return s;
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
