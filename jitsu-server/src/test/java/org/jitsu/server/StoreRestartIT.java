package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store across restarts of a real server (process backend, busybox httpd): counters and
 * services registered through the admin API survive, services left running are adopted as this
 * Jitsu's, and a removal is durable too.
 */
@Tag("native")
class StoreRestartIT {
    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private final List<JitsuServer> servers = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        for (JitsuServer s : servers) {
            s.close(true); // stops the httpd processes it runs, also when the test failed
        }
    }

    private JitsuServer start(Path config) throws Exception {
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(config)).startTimeout(Duration.ofSeconds(20)).start();
        servers.add(s);
        return s;
    }

    @Test
    void countersRegisteredServicesAndRunningVmsSurviveARestart() throws Exception {
        int dnsPort = JitsuServerExtension.freePort("127.0.0.1");
        int webPort = JitsuServerExtension.freePort("127.0.7.2");
        int apiPort = JitsuServerExtension.freePort("127.0.7.3");
        Files.createDirectories(dir.resolve("www"));
        Files.writeString(dir.resolve("www/index.html"), "store\n");
        Path config = Files.writeString(dir.resolve("jitsu.yml"), String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + dnsPort + "}",
                "admin: {address: \"127.0.0.1:0\"}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "zones: [{name: st.test, nameservers: [ns1.st.test], hosts: {ns1.st.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                "  - id: web",
                "    names: [web.st.test]",
                "    addresses: [127.0.7.2]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.7.2:" + webPort + "\", -h, \""
                        + dir.resolve("www") + "\"]}",
                "    readiness: [{http: \"http://127.0.7.2:" + webPort + "/\"}]",
                ""));
        String apiSpec = "{\"names\": [\"api.st.test\"], \"addresses\": [\"127.0.7.3\"], \"backend\": \"local\","
                + " \"process\": {\"command\": [\"busybox\", \"httpd\", \"-f\", \"-p\", \"127.0.7.3:" + apiPort
                + "\", \"-h\", \"" + dir.resolve("www") + "\"]},"
                + " \"readiness\": [{\"http\": \"http://127.0.7.3:" + apiPort + "/\"}]}";

        JitsuServer first = start(config);
        String admin1 = admin(first);
        assertThat(dig(dnsPort, "web.st.test")).isEqualTo("127.0.7.2");
        assertThat(dig(dnsPort, "api.st.test")).as("not registered yet").isEmpty();

        HttpResponse<String> bad = send("POST", admin1 + "/api/services/api", apiSpec.replace("\"backend\"",
                "\"bakend\""));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("services[1].backend: missing");
        assertThat(send("POST", admin1 + "/api/services/web", apiSpec).statusCode()).as("a config-file id")
                .isEqualTo(409);
        assertThat(send("DELETE", admin1 + "/api/services/nope", "").statusCode()).isEqualTo(404);
        assertThat(send("POST", admin1 + "/api/services/api", "{\"id\": \"other\"}").statusCode()).isEqualTo(400);

        HttpResponse<String> ok = send("POST", admin1 + "/api/services/api", apiSpec);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(dig(dnsPort, "api.st.test")).isEqualTo("127.0.7.3");
        assertThat(first.pipeline().core().status("web").orElseThrow().boots()).isEqualTo(1);
        long webLastQuery = first.pipeline().core().status("web").orElseThrow().lastQuery().orElseThrow().toEpochMilli();

        first.close(false); // leaves both httpd processes running
        servers.remove(first);
        assertThat(OperationsIT.connects("127.0.7.2", webPort)).isTrue();

        JitsuServer second = start(config);
        ServiceStatus web = second.pipeline().core().status("web").orElseThrow();
        ServiceStatus api = second.pipeline().core().status("api").orElseThrow();
        assertThat(web.state()).as("adopted").isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(web.boots()).as("the counter carried over the restart").isEqualTo(1);
        assertThat(web.lastQuery().orElseThrow().toEpochMilli()).isEqualTo(webLastQuery);
        assertThat(api.state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(api.boots()).isEqualTo(1);
        assertThat(dig(dnsPort, "api.st.test")).isEqualTo("127.0.7.3");
        assertThat(second.pipeline().core().status("api").orElseThrow().boots()).as("answered warm").isEqualTo(1);

        HttpResponse<String> removed = send("DELETE", admin(second) + "/api/services/api", "");
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(second.pipeline().core().status("api")).isEmpty();
        OperationsIT.await("the removed service's httpd to stop",
                () -> !OperationsIT.connects("127.0.7.3", apiPort));
        second.close(false);
        servers.remove(second);

        JitsuServer third = start(config);
        assertThat(third.pipeline().core().status("api")).as("the removal is durable").isEmpty();
        assertThat(third.pipeline().core().status("web").orElseThrow().boots()).isEqualTo(1);
        assertThat(Files.readString(dir.resolve("run/store/state.yml"))).contains("web:").doesNotContain("api.st.test");
    }

    private static String admin(JitsuServer s) {
        InetSocketAddress a = s.adminAddress().orElseThrow();
        return "http://127.0.0.1:" + a.getPort();
    }

    private static String dig(int port, String name) {
        return DnsTools.dig("127.0.0.1", port, "+short", "+tries=1", "+time=10", name, "A").stdout().strip();
    }

    private static HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
