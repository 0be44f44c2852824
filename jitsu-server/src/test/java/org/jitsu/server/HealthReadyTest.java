package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.jitsu.server.config.JitsuConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** {@code /health/ready} follows the backends' readiness after start, not only at start. */
@Tag("fast")
class HealthReadyTest {
    private static final String CONFIG = String.join("\n",
            "listen: {addresses: [127.0.0.1], port: 0}",
            "admin: {address: \"127.0.0.1:0\"}",
            "zones: [{name: example.test, nameservers: [ns1.example.test]}]",
            "state-dir: /tmp/jitsu-test-state",
            "backends:",
            "  one: {type: fake}",
            "services: []",
            "");

    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyFollowsTheBackends() throws Exception {
        FakeBackends.FakeFactory factory = new FakeBackends.FakeFactory("fake");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(CONFIG, "test.yml"))
                .backendFactories(List.of(factory))
                .readinessParser((item, timer) -> vm -> Mono.empty())
                .startTimeout(Duration.ofSeconds(10))
                .start()) {
            String url = "http://127.0.0.1:" + server.adminAddress().orElseThrow().getPort() + "/health/ready";
            assertThat(status(url)).isEqualTo(200);
            factory.created.get(0).failReady(new IllegalStateException("connection lost"));
            assertThat(status(url)).isEqualTo(503);
            factory.created.get(0).failReady(null);
            assertThat(status(url)).isEqualTo(200);
            String live = url.replace("ready", "live");
            factory.created.get(0).failReady(new IllegalStateException("connection lost"));
            assertThat(status(live)).as("live does not depend on the backends").isEqualTo(200);
        }
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
