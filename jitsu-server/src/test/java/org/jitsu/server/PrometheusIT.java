package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DigOutput;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.JsonReader;
import org.jitsu.server.testing.Prometheus;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Prometheus (Debian's {@code /usr/bin/prometheus}) scraping a real server: it listens on a
 * free 127.0.0.1 port, keeps its TSDB in a temporary directory and scrapes the admin endpoint's
 * {@code /metrics} (a 127.0.0.1 literal, every second); nothing else is configured (no alerting, no
 * remote storage, no target but that one), and the proxy variables are removed from its environment. A
 * {@code dig} boots a {@code busybox httpd} service; its readiness also waits for a port the test
 * opens only once Prometheus has scraped the boot in flight, so Prometheus sees the service's boot
 * counter at 0 and then at 1. Through Prometheus's HTTP API the test reads {@code up} and the boot
 * counter, then runs every query of {@code config/grafana/jitsu-dashboard.json} (Grafana's
 * {@code $__rate_interval} made {@code 1m}) as an instant and as a range query: each succeeds and has
 * data, and the panels on boots, boot duration and cold waits show the boot. Prometheus is stopped by
 * its PID after the class, also when a test failed.
 */
@Tag("native")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path DASHBOARD = Path.of("..", "config", "grafana", "jitsu-dashboard.json");
    private static final String JOB = "jitsu";
    private static final String SERVICE = "www";
    private static final String ADDRESS = "127.0.16.1";
    private static final int HTTPD_PORT = JitsuServerExtension.freePort(ADDRESS);
    /** The boot's last readiness check connects here: the test opens it once Prometheus saw the boot in flight. */
    private static final String GATE = "127.0.16.9";
    private static final int GATE_PORT = JitsuServerExtension.freePort(GATE);
    /**
     * What the dashboard's {@code $__rate_interval} becomes here. Grafana makes it
     * max($__interval + scrape interval, 4 × scrape interval): 1m for its default scrape interval of
     * 15 s, and longer than this test, so that no sample of it slides out of the window.
     */
    private static final String RATE_INTERVAL = "1m";
    private static final Pattern METRIC = Pattern.compile("jitsu_[a-z_]+");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .file("www/index.html", "prometheus IT\n")
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: prom.test",
                    "    nameservers: [ns1.prom.test]",
                    "    hosts: {ns1.prom.test: [127.0.0.1]}",
                    "backends:",
                    "  local: {type: process}",
                    "services:",
                    JitsuServerExtension.httpd(SERVICE, "prom.test", ADDRESS, HTTPD_PORT, dir,
                            "      - tcp: " + GATE + ":" + GATE_PORT, "idle-timeout: 10m"),
                    ""))
            .build();

    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static Path dir;
    private static Process prometheus;
    private static String prometheusUrl;
    private static Instant prometheusStarted;
    /** When Prometheus first answered the boot counter with 1 (the dashboard's boot panels are read then). */
    private static Instant bootSeen;

    @BeforeAll
    static void startPrometheus() throws Exception {
        assertThat(Files.isExecutable(PROMETHEUS)).as("%s (Debian's prometheus; ./jitsu test installs it)", PROMETHEUS)
                .isTrue();
        dir = Files.createTempDirectory("jitsu-prometheus-it-");
        String target = jitsu.adminUrl().substring("http://".length());
        assertThat(target).startsWith("127.0.0.1:");
        Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "  evaluation_interval: 1s",
                "scrape_configs:",
                "  - job_name: " + JOB,
                "    scheme: http",
                "    metrics_path: /metrics",
                "    static_configs:",
                "      - targets: [\"" + target + "\"]",
                ""), StandardCharsets.UTF_8);
        int port = JitsuServerExtension.freePort("127.0.0.1");
        prometheusUrl = "http://127.0.0.1:" + port;
        ProcessBuilder pb = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port,
                "--web.external-url=" + prometheusUrl + "/", // not the host name it would put in links
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--storage.tsdb.retention.time=1h")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile());
        pb.environment().keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("_proxy"));
        prometheusStarted = Instant.now();
        prometheus = pb.start();
        Await.until("Prometheus ready on " + prometheusUrl, WAIT, () -> {
            alive();
            try {
                return get("/-/ready").statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.destroy(); // SIGTERM to its own PID
                if (!prometheus.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                    if (!prometheus.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        System.err.println("Prometheus (pid " + prometheus.pid() + ") still running after SIGKILL");
                    }
                }
            }
        } finally {
            prometheus = null;
            if (dir != null) {
                JitsuServerExtension.deleteTree(dir);
            }
        }
    }

    @Test
    @Order(1)
    void aBootCausedByDigIsCountedInPrometheus() throws Exception {
        Await.until("up{job=\"" + JOB + "\"} is 1 in Prometheus", WAIT, () -> values("up{job=\"" + JOB + "\"}")
                .equals(List.of("1")));
        String succeeded = "jitsu_boots_total{job=\"" + JOB + "\",service=\"" + SERVICE + "\",outcome=\"succeeded\"}";
        assertThat(query(succeeded).result()).as("no boot before the query").isEmpty();

        Process dig = new ProcessBuilder("dig", "@127.0.0.1", "-p", Integer.toString(jitsu.port()),
                SERVICE + ".prom.test", "A", "+short", "+tries=1", "+time=25").redirectErrorStream(true).start();
        try {
            // the boot waits for the gate: Prometheus scrapes it in flight, its counter made and still 0
            Await.until("Prometheus scraping the boot in flight", WAIT, () ->
                    values("jitsu_boots_in_flight{job=\"" + JOB + "\"}").equals(List.of("1"))
                            && values(succeeded).equals(List.of("0")));
            try (ServerSocket gate = new ServerSocket()) {
                gate.bind(new InetSocketAddress(IpLiteral.parse(GATE).orElseThrow(), GATE_PORT));
                assertThat(dig.waitFor(40, TimeUnit.SECONDS)).as("dig finished").isTrue();
            }
            String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(out).as("dig's answer").isEqualTo(ADDRESS);
        } finally {
            dig.destroyForcibly();
        }
        Prometheus own = Prometheus.parse(metricsText());
        assertThat(own.value("jitsu_boots_total", "service", SERVICE, "outcome", "succeeded")).isEqualTo(1);

        Await.until(succeeded + " is 1 in Prometheus", WAIT, () -> values(succeeded).equals(List.of("1")));
        bootSeen = Instant.now();
        assertThat(values("jitsu_boots_started_total{job=\"" + JOB + "\",service=\"" + SERVICE + "\",backend=\"local\"}"))
                .containsExactly("1");
        assertThat(values("jitsu_boots_total{job=\"" + JOB + "\",service=\"" + SERVICE + "\",outcome=\"failed\"}"))
                .containsExactly("0");
        assertThat(values("jitsu_boot_duration_seconds_count{job=\"" + JOB + "\",service=\"" + SERVICE + "\"}"))
                .containsExactly("1");

        // a second query is a warm answer, counted as one
        DigOutput warm = DigOutput.of(jitsu.dig(SERVICE + ".prom.test", "A"));
        assertThat(warm.addresses()).as(warm.output()).containsExactly(ADDRESS);
        Await.until("the warm answer in Prometheus", WAIT, () ->
                values("jitsu_queries_warm_total{job=\"" + JOB + "\",service=\"" + SERVICE + "\"}").equals(List.of("1")));
        Await.until("up{job=\"" + JOB + "\"} is 1 in Prometheus", WAIT, () -> values("up{job=\"" + JOB + "\"}")
                .equals(List.of("1")));
    }

    @Test
    @Order(2)
    void everyQueryOfTheDashboardRunsOnThatPrometheusAndHasData() throws Exception {
        assertThat(bootSeen).as("the boot of the first test").isNotNull();
        // what the panels without the boot's service show: a stop and a dropped packet
        HttpResponse<String> stopped = http.send(HttpRequest.newBuilder(URI.create(jitsu.adminUrl()
                + "/api/services/" + SERVICE + "/stop")).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] shortHeader = new byte[5];
            udp.send(new DatagramPacket(shortHeader, shortHeader.length,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), jitsu.port())));
        }
        Await.until("the short packet counted as dropped", WAIT, () -> Prometheus.parse(metricsText())
                .samples("jitsu_dns_dropped_total", "transport", "udp").stream()
                .mapToDouble(Prometheus.Sample::value).sum() == 1);

        List<Target> targets = dashboardTargets();
        assertThat(targets).as("the dashboard's queries").hasSizeGreaterThan(15);
        Set<String> exported = new TreeSet<>();
        Matcher names = Pattern.compile("(?m)^(jitsu_[a-z_]+)").matcher(metricsText());
        while (names.find()) {
            exported.add(names.group(1));
        }
        Set<String> used = new TreeSet<>();
        targets.forEach(t -> used.addAll(t.metrics()));
        assertThat(exported).as("the metrics the dashboard uses, in the server's /metrics now").containsAll(used);

        Instant now = Instant.now();
        for (Target t : targets) {
            // data once each series it reads has been scraped twice (rate needs two samples), within the bound;
            // then the range query over the whole run, one point a second, ending at that instant
            Await.until("data for " + t, WAIT, () -> {
                Instant at = Instant.ofEpochMilli(System.currentTimeMillis());
                Result r = query(t.expr(), at);
                assertThat(r.status()).as("%s: %s", t, r.error()).isEqualTo("success");
                if (r.result().isEmpty()) {
                    return false;
                }
                Instant start = at.minusSeconds(Duration.between(prometheusStarted, at).toSeconds() + 1);
                Result range = queryRange(t.expr(), start, at, "1s");
                assertThat(range.status()).as("range query of %s: %s", t, range.error()).isEqualTo("success");
                assertThat(range.result()).as("range query of %s", t).isNotEmpty();
                return true;
            });
        }

        // the boot panels, read when Prometheus had seen the boot counter go from 0 to 1
        Map<String, Map<String, String>> showsTheBoot = new LinkedHashMap<>();
        showsTheBoot.put("increase(jitsu_boots_total[", Map.of("service", SERVICE, "outcome", "succeeded"));
        showsTheBoot.put("rate(jitsu_query_cold_duration_seconds_count[", Map.of("service", SERVICE));
        showsTheBoot.put("rate(jitsu_query_cold_duration_seconds_bucket[", Map.of("service", SERVICE));
        showsTheBoot.put("rate(jitsu_boot_duration_seconds_bucket[", Map.of("service", SERVICE, "backend", "local"));
        for (Map.Entry<String, Map<String, String>> e : showsTheBoot.entrySet()) {
            List<Target> matching = targets.stream().filter(t -> t.expr().contains(e.getKey())).toList();
            assertThat(matching).as("dashboard queries with %s", e.getKey()).isNotEmpty();
            for (Target t : matching) {
                Result r = query(t.expr(), bootSeen);
                assertThat(r.status()).as("%s: %s", t, r.error()).isEqualTo("success");
                List<Double> values = r.valuesWith(e.getValue());
                assertThat(values).as("%s at the boot: series with %s in %s", t, e.getValue(), r.result()).hasSize(1);
                assertThat(values.get(0)).as("%s at the boot", t).isPositive().isFinite();
            }
        }
        System.out.printf("PrometheusIT: %d dashboard queries ran (instant and range) with data, %d metrics, in %d ms%n",
                targets.size(), used.size(), Duration.between(now, Instant.now()).toMillis());
    }

    // ---- the dashboard

    /** One panel target of the dashboard: its panel's title, its refId, its query with Grafana's variables set. */
    record Target(String panel, String refId, String expr) {
        Set<String> metrics() {
            Set<String> out = new LinkedHashSet<>();
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                out.add(m.group());
            }
            return out;
        }

        @Override
        public String toString() {
            return "panel '" + panel + "' " + refId + ": " + expr;
        }
    }

    /** Every target {@code expr} of the dashboard's panels (rows' panels too), variables substituted. */
    private static List<Target> dashboardTargets() throws IOException {
        Map<String, Object> dashboard = JsonReader.object(JsonReader.parse(Files.readString(DASHBOARD,
                StandardCharsets.UTF_8)));
        List<Target> out = new ArrayList<>();
        collect(JsonReader.array(dashboard.get("panels")), out);
        return out;
    }

    private static void collect(List<Object> panels, List<Target> out) {
        for (Object p : panels) {
            Map<String, Object> panel = JsonReader.object(p);
            for (Object t : JsonReader.array(panel.getOrDefault("targets", List.of()))) {
                Map<String, Object> target = JsonReader.object(t);
                Object expr = target.get("expr");
                if (expr instanceof String e) {
                    String query = e.replace("$__rate_interval", RATE_INTERVAL);
                    assertThat(query).as("a Grafana variable the test does not set, in panel '%s'", panel.get("title"))
                            .doesNotContain("$");
                    out.add(new Target(String.valueOf(panel.get("title")), String.valueOf(target.get("refId")), query));
                }
            }
            collect(JsonReader.array(panel.getOrDefault("panels", List.of())), out);
        }
    }

    // ---- Prometheus's HTTP API

    /** What {@code /api/v1/query} or {@code /api/v1/query_range} answered. */
    record Result(String status, String error, List<Map<String, Object>> result) {
        /** The values of the result's series whose labels include {@code labels} (a vector's). */
        List<Double> valuesWith(Map<String, String> labels) {
            List<Double> out = new ArrayList<>();
            for (Map<String, Object> series : result) {
                Map<String, Object> metric = JsonReader.object(series.get("metric"));
                if (labels.entrySet().stream().allMatch(l -> l.getValue().equals(metric.get(l.getKey())))) {
                    out.add(Double.parseDouble((String) JsonReader.array(series.get("value")).get(1)));
                }
            }
            return out;
        }
    }

    /** The instant query {@code expr} now. */
    private static Result query(String expr) {
        return api("/api/v1/query", Map.of("query", expr));
    }

    /** The instant query {@code expr} at {@code time}. */
    private static Result query(String expr, Instant time) {
        return api("/api/v1/query", Map.of("query", expr, "time", seconds(time)));
    }

    private static Result queryRange(String expr, Instant start, Instant end, String step) {
        return api("/api/v1/query_range", Map.of("query", expr, "start", seconds(start), "end", seconds(end),
                "step", step));
    }

    /** The values of the instant vector {@code expr} now, as Prometheus writes them ("1", "0.5", "NaN"). */
    private static List<String> values(String expr) {
        Result r = query(expr);
        assertThat(r.status()).as("%s: %s", expr, r.error()).isEqualTo("success");
        return r.result().stream().map(s -> (String) JsonReader.array(s.get("value")).get(1)).toList();
    }

    /** A POST of {@code form} to the API (as Grafana sends queries), its JSON answer read. */
    private static Result api(String path, Map<String, String> form) {
        alive();
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " " + form, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        Map<String, Object> json = JsonReader.object(JsonReader.parse(r.body()));
        String status = String.valueOf(json.get("status"));
        if (!status.equals("success")) {
            return new Result(status, json.get("errorType") + ": " + json.get("error") + " (HTTP " + r.statusCode() + ")",
                    List.of());
        }
        List<Map<String, Object>> result = new ArrayList<>();
        for (Object s : JsonReader.array(JsonReader.object(json.get("data")).get("result"))) {
            result.add(JsonReader.object(s));
        }
        return new Result(status, null, result);
    }

    private static String seconds(Instant t) {
        return String.format(Locale.ROOT, "%d.%03d", t.getEpochSecond(), t.getNano() / 1_000_000);
    }

    private static HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Fails with Prometheus's log when it exited. */
    private static void alive() {
        if (prometheus != null && !prometheus.isAlive()) {
            throw new AssertionError("Prometheus exited with " + prometheus.exitValue() + "; its log:\n" + log());
        }
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String metricsText() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(jitsu.adminUrl() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
