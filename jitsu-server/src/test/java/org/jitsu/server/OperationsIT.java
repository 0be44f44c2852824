package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jitsu.server.cli.Main;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.Prometheus;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The "what it must show", on a real server with real {@code busybox httpd} services, real
 * {@code dig} processes and a real HTTP client: 200 concurrent digs for a cold name boot it once (one
 * boot started and succeeded, 199 joins, latency histograms filled, the boot's four cold-start phases,
 * in {@code /metrics}), the output passes {@code promtool check metrics}, {@code /api/services} shows
 * the service running, a broken reload is rejected while serving continues, and a reload adds and
 * removes services.
 */
@Tag("native")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT {
    private static final int CROWD_PORT = JitsuServerExtension.freePort("127.0.5.2");
    private static final int OPS_PORT = JitsuServerExtension.freePort("127.0.5.3");
    private static final int GONE_PORT = JitsuServerExtension.freePort("127.0.5.4");
    private static final int EXTRA_PORT = JitsuServerExtension.freePort("127.0.5.5");
    /** The crowd's last readiness check connects here: the test opens it once all 200 queries wait. */
    private static final int GATE_PORT = JitsuServerExtension.freePort("127.0.5.9");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int CROWD = 200;

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .file("www/index.html", "operations IT\n")
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: ops.test",
                    "    nameservers: [ns1.ops.test]",
                    "    hosts: {ns1.ops.test: [127.0.0.1]}",
                    "idle: {check-interval: 1s}",
                    "backends:",
                    "  local: {type: process}",
                    "services:",
                    // readiness also waits for the test's gate, so that all 200 digs arrive during the boot
                    httpd("crowd", "127.0.5.2", CROWD_PORT, dir, "      - tcp: 127.0.5.9:" + GATE_PORT),
                    httpd("ops", "127.0.5.3", OPS_PORT, dir, ""),
                    "# gone",
                    httpd("gone", "127.0.5.4", GONE_PORT, dir, ""),
                    "# end gone",
                    ""))
            .build();

    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static String httpd(String id, String address, int port, Path dir, String extraReadiness) {
        return JitsuServerExtension.httpd(id, "ops.test", address, port, dir, extraReadiness, "idle-timeout: 10m");
    }

    @Test
    @Order(1)
    void twoHundredConcurrentDigsBootOnceAndMetricsShowIt() throws Exception {
        List<Process> digs = new ArrayList<>();
        java.net.ServerSocket gate = null;
        try {
            for (int i = 0; i < CROWD; i++) {
                // each dig from its own loopback address: digs pick random source ports, and two of 200 on
                // one address often pick the same one (then one of them reads the other's answer)
                digs.add(new ProcessBuilder("dig", "@127.0.0.1", "-p", Integer.toString(jitsu.port()),
                        "-b", "127.0.7." + (i + 1), "crowd.ops.test",
                        "A", "+short", "+tries=1", "+timeout=25").redirectErrorStream(true).start());
            }
            // all 200 are in: one started the boot, 199 joined it; then the gate opens and the boot completes
            await("199 queries joining the boot", () -> metric("jitsu_boot_joins_total", "service", "crowd") >= CROWD - 1);
            gate = new java.net.ServerSocket();
            gate.bind(new InetSocketAddress(org.jitsu.settings.IpLiteral.parse("127.0.5.9").orElseThrow(), GATE_PORT));
            List<String> wrong = new ArrayList<>();
            for (Process p : digs) {
                assertThat(p.waitFor(40, TimeUnit.SECONDS)).as("dig finished").isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!out.equals("127.0.5.2")) {
                    wrong.add(out);
                }
            }
            assertThat(wrong).as("digs without the address; metrics:%n%s", get("/metrics").body()).isEmpty();
        } finally {
            digs.forEach(Process::destroyForcibly);
            if (gate != null) {
                gate.close();
            }
        }

        String metrics = get("/metrics").body();
        Prometheus m = Prometheus.parse(metrics);
        assertThat(m.value("jitsu_boots_started_total", "service", "crowd", "backend", "local")).isEqualTo(1);
        assertThat(m.value("jitsu_boots_total", "service", "crowd", "outcome", "succeeded")).isEqualTo(1);
        assertThat(m.value("jitsu_boots_total", "service", "crowd", "outcome", "failed")).isZero();
        assertThat(m.value("jitsu_boot_joins_total", "service", "crowd")).isEqualTo(CROWD - 1);
        assertThat(m.value("jitsu_boot_duration_seconds_count", "service", "crowd", "backend", "local")).isEqualTo(1);
        // every dig waited for the boot: 200 cold answers; the first one waited the whole boot
        assertThat(m.value("jitsu_query_cold_duration_seconds_count", "service", "crowd", "outcome", "ok"))
                .isEqualTo(CROWD);
        assertThat(m.value("jitsu_query_cold_duration_seconds_bucket", "service", "crowd", "outcome", "ok",
                "le", "30.0")).isEqualTo(CROWD);
        double boot = m.value("jitsu_boot_duration_seconds_sum", "service", "crowd");
        assertThat(boot).isPositive();
        assertThat(m.value("jitsu_query_cold_duration_seconds_max", "service", "crowd", "outcome", "ok"))
                .isGreaterThanOrEqualTo(boot - 0.002); // the first query waited for the whole boot (ms resolution)
        // the one boot's phases, each recorded once; the first three add up to the boot (ms resolution)
        double phases = 0;
        for (String phase : List.of("queued", "vm-start", "readiness", "answer")) {
            assertThat(m.value("jitsu_cold_phase_duration_seconds_count", "service", "crowd", "phase", phase))
                    .as(phase).isEqualTo(1);
            phases += phase.equals("answer") ? 0
                    : m.value("jitsu_cold_phase_duration_seconds_sum", "service", "crowd", "phase", phase);
        }
        assertThat(phases).isCloseTo(boot, within(0.002));
        assertThat(m.value("jitsu_dns_query_duration_seconds_count", "transport", "udp")).isGreaterThanOrEqualTo(CROWD);
        assertThat(m.value("jitsu_dns_queries_total", "transport", "udp", "type", "A", "rcode", "NOERROR"))
                .isGreaterThanOrEqualTo(CROWD);
        assertThat(m.value("jitsu_services_running", "backend", "local")).isEqualTo(1);
        assertThat(m.value("jitsu_boots_in_flight")).isZero();

        Path file = Files.writeString(jitsu.dir().resolve("metrics.txt"), metrics);
        DnsTools.Result promtool = DnsTools.run(List.of("sh", "-c", "promtool check metrics < '" + file + "'"), 30);
        assertThat(promtool.exitCode()).as("promtool check metrics: %s%s", promtool.stdout(), promtool.stderr())
                .isZero();

        String services = get("/api/services").body();
        assertThat(services).contains("{\"id\":\"crowd\",\"names\":[\"crowd.ops.test\"],\"addresses\":[\"127.0.5.2\"],"
                + "\"backend\":\"local\",\"state\":\"RUNNING\"");
        assertThat(services).contains("\"boots\":1,\"failures\":0");

        // the terminal view (./jitsu status) of the same server, given its config with the bound admin port
        Path statusConfig = Files.writeString(jitsu.dir().resolve("status.yml"), Files.readString(jitsu.configFile())
                .replace("admin: {address: \"127.0.0.1:0\"}", "admin: {address: \"" + jitsu.adminUrl()
                        .substring("http://".length()) + "\"}"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"status", "--config", statusConfig.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as("status: %s", err).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("(?m)^SERVICE +STATE")
                .containsPattern("(?m)^crowd +RUNNING +\\S+ ago +\\S+ ago +1 +0 +\\d+ ms +local +crowd.ops.test +127.0.5.2$")
                .containsPattern("(?m)^ops +STOPPED ");
    }

    @Test
    @Order(2)
    void healthAndErrors() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("ready");
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/api/reload").statusCode()).as("GET on a POST resource").isEqualTo(405);
        assertThat(post("/api/services/nosuch/start").statusCode()).isEqualTo(404);
        assertThat(get("/metrics").headers().firstValue("content-type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
    }

    @Test
    @Order(3)
    void operatorStartsAndStopsAService() throws Exception {
        HttpResponse<String> started = post("/api/services/ops/start");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        assertThat(started.body()).contains("\"state\":\"RUNNING\"").contains("\"error\":null");
        assertThat(connects("127.0.5.3", OPS_PORT)).as("httpd of ops listens").isTrue();

        HttpResponse<String> stopped = post("/api/services/ops/stop");
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        assertThat(stopped.body()).contains("\"state\":\"STOPPED\"");
        await("httpd of ops gone", () -> !connects("127.0.5.3", OPS_PORT));
        Prometheus m = Prometheus.parse(get("/metrics").body());
        assertThat(m.value("jitsu_stops_total", "service", "ops", "reason", "operator", "mode", "destroy"))
                .isEqualTo(1);
        // an operator's start is not a query
        assertThat(m.value("jitsu_boot_joins_total", "service", "ops")).isZero();
    }

    @Test
    @Order(4)
    void brokenReloadIsRejectedAndServingContinues() throws Exception {
        Path file = jitsu.configFile();
        String good = Files.readString(file);
        try {
            Files.writeString(file, good + "\nbogus-key: 1\n");
            HttpResponse<String> r = post("/api/reload");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("\"applied\":false").contains("bogus-key");
            assertThat(jitsu.dig("+short", "crowd.ops.test", "A").stdout().strip()).isEqualTo("127.0.5.2");

            Files.writeString(file, good.replace("listen: {addresses: [127.0.0.1], port: 0}",
                    "listen: {addresses: [127.0.0.1], port: 1}"));
            r = post("/api/reload");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("listen.* cannot change on reload; restart");
        } finally {
            Files.writeString(file, good);
        }
        assertThat(jitsu.dig("+short", "crowd.ops.test", "A").stdout().strip()).isEqualTo("127.0.5.2");
        assertThat(Prometheus.parse(get("/metrics").body()).value("jitsu_reloads_total", "outcome", "rejected"))
                .isEqualTo(2);
    }

    @Test
    @Order(5)
    void reloadAddsAndRemovesServices() throws Exception {
        assertThat(jitsu.dig("+short", "gone.ops.test", "A").stdout().strip()).isEqualTo("127.0.5.4");
        assertThat(connects("127.0.5.4", GONE_PORT)).isTrue();
        Path file = jitsu.configFile();
        String text = Files.readString(file);
        String gone = text.substring(text.indexOf("# gone"), text.indexOf("# end gone"));
        Files.writeString(file, text.replace(gone, httpd("extra", "127.0.5.5", EXTRA_PORT, jitsu.dir(), "") + "\n"));

        HttpResponse<String> r = post("/api/reload");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("kept [crowd, ops], added [extra], changed [], removed [gone]");

        await("httpd of the removed service stopped", () -> !connects("127.0.5.4", GONE_PORT));
        assertThat(jitsu.dig("gone.ops.test", "A").stdout()).contains("status: NXDOMAIN");
        assertThat(jitsu.dig("+short", "extra.ops.test", "A").stdout().strip()).isEqualTo("127.0.5.5");
        assertThat(connects("127.0.5.5", EXTRA_PORT)).isTrue();

        String services = get("/api/services").body();
        assertThat(services).doesNotContain("\"gone\"").contains("\"id\":\"extra\"");
        // the kept service is still the one booted by the crowd: running, one boot
        assertThat(services).contains("\"id\":\"crowd\",\"names\":[\"crowd.ops.test\"],\"addresses\":[\"127.0.5.2\"],"
                + "\"backend\":\"local\",\"state\":\"RUNNING\"");
        Prometheus m = Prometheus.parse(get("/metrics").body());
        assertThat(m.value("jitsu_stops_total", "service", "gone", "reason", "removed")).isEqualTo(1);
        assertThat(m.value("jitsu_reloads_total", "outcome", "ok")).isEqualTo(1);
        assertThat(m.value("jitsu_boots_started_total", "service", "crowd", "backend", "local")).isEqualTo(1);
    }

    private static double metric(String name, String... labels) {
        try {
            return Prometheus.parse(get("/metrics").body()).value(name, labels);
        } catch (IOException | AssertionError e) {
            return -1; // not there yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static boolean connects(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(org.jitsu.settings.IpLiteral.parse(address).orElseThrow(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(jitsu.adminUrl() + path)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(jitsu.adminUrl() + path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
