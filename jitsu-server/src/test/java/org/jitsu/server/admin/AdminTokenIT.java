package org.jitsu.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With {@code admin.token} set, every request but {@code /health/*} needs {@code Authorization: Bearer
 * TOKEN}: missing or wrong gets 401, never a fallback to open. (A token is required when the address
 * is not loopback; the tests may only use loopback, so they set one on 127.0.0.1.)
 */
@Tag("native")
class AdminTokenIT {
    private static final String TOKEN = "it-token-0123456789abcdef";

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .config(dir -> String.join("\n",
                    "admin: {address: \"127.0.0.1:0\", token: " + TOKEN + "}",
                    "zones: [{name: token.test, nameservers: [ns1.token.test], hosts: {ns1.token.test: [127.0.0.1]}}]",
                    ""))
            .build();

    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void requestsWithoutTheTokenGet401() throws Exception {
        for (String path : new String[] {"/metrics", "/api/services"}) {
            HttpResponse<String> r = send("GET", path, Optional.empty());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"jitsu\"");
            assertThat(send("GET", path, Optional.of("Bearer wrong-token-0123456789")).statusCode()).isEqualTo(401);
            assertThat(send("GET", path, Optional.of(TOKEN)).statusCode()).as("without 'Bearer '").isEqualTo(401);
        }
        assertThat(send("POST", "/api/reload", Optional.empty()).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/api/services/x/stop", Optional.of("Bearer x")).statusCode()).isEqualTo(401);
    }

    @Test
    void requestsWithTheTokenAreServed() throws Exception {
        HttpResponse<String> metrics = send("GET", "/metrics", Optional.of("Bearer " + TOKEN));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jitsu_dns_tcp_connections");
        assertThat(send("GET", "/api/services", Optional.of("Bearer " + TOKEN)).body()).isEqualTo("{\"services\":[]}\n");
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        assertThat(send("GET", "/health/live", Optional.empty()).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/ready", Optional.empty()).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String method, String path, Optional<String> authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(jitsu.adminUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(a -> b.header("Authorization", a));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
