package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.cli.Main;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line in its own JVM: {@code serve --stop-services-on-exit} reloads its config on
 * SIGHUP (sent by PID) and, on SIGTERM, shuts down gracefully and stops the services it runs.
 */
@Tag("native")
class SighupIT {
    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void sighupReloadsAndSigtermStopsTheServices() throws Exception {
        int dnsPort = JitsuServerExtension.freePort("127.0.0.1");
        int adminPort = JitsuServerExtension.freePort("127.0.0.1");
        int webPort = JitsuServerExtension.freePort("127.0.6.2");
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "sighup\n");
        String base = String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + dnsPort + "}",
                "admin: {address: \"127.0.0.1:" + adminPort + "\"}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "zones: [{name: hup.test, nameservers: [ns1.hup.test], hosts: {ns1.hup.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                "");
        String web = String.join("\n",
                "  - id: web",
                "    names: [web.hup.test]",
                "    addresses: [127.0.6.2]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.6.2:" + webPort + "\", -h, \""
                        + dir.resolve("www") + "\"]}",
                "    readiness: [{http: \"http://127.0.6.2:" + webPort + "/\"}]",
                "");
        Path config = Files.writeString(dir.resolve("jitsu.yml"), base + "  []\n");
        Path log = dir.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--config", config.toString(), "--stop-services-on-exit")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String admin = "http://127.0.0.1:" + adminPort;
            OperationsIT.await("the server to be ready", () -> status(admin + "/health/ready") == 200);
            assertThat(body(admin + "/api/services")).isEqualTo("{\"services\":[]}\n");

            Files.writeString(config, base + web);
            DnsTools.Result kill = DnsTools.run(List.of("kill", "-HUP", Long.toString(server.pid())), 10);
            assertThat(kill.exitCode()).isZero();
            OperationsIT.await("the reload to add web", () -> body(admin + "/api/services").contains("\"id\":\"web\""));
            assertThat(DnsTools.dig("127.0.0.1", dnsPort, "+short", "web.hup.test", "A").stdout().strip())
                    .isEqualTo("127.0.6.2");
            assertThat(OperationsIT.connects("127.0.6.2", webPort)).isTrue();

            server.destroy(); // SIGTERM
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(output).contains("SIGHUP: reloading the config").contains("added [web]")
                    .contains("stopping every service").contains("service web: stopped (destroy, shutdown");
            assertThat(OperationsIT.connects("127.0.6.2", webPort)).as("httpd stopped with the server").isFalse();
        } finally {
            if (server.isAlive()) {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            // whatever the outcome, no httpd of this test stays: stop it by the pid the backend recorded
            killRecorded(dir.resolve("run"));
        }
    }

    private static int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static void killRecorded(Path stateDir) throws Exception {
        File pids = stateDir.resolve("local/pids").toFile();
        File[] files = pids.listFiles();
        if (files == null) {
            return;
        }
        for (File f : files) {
            String first = Files.readString(f.toPath()).strip().split("\\s+")[0];
            try {
                ProcessHandle.of(Long.parseLong(first))
                        .filter(p -> p.info().command().map(c -> c.contains("busybox")).orElse(false))
                        .ifPresent(ProcessHandle::destroyForcibly);
            } catch (NumberFormatException e) {
                // not a pid file of ours
            }
        }
    }
}
