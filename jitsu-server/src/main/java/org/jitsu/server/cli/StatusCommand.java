package org.jitsu.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jitsu.server.admin.AdminSettings;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;

/**
 * {@code jitsu status}: asks the server running with a config for its services
 * ({@code GET /api/services} with {@code Accept: text/plain} on {@code admin.address}) and prints the
 * table. Exit 0 when it answered, 1 when it could not be reached or refused.
 */
final class StatusCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private StatusCommand() {
    }

    static int run(JitsuConfig config, PrintStream out, PrintStream err) {
        AdminSettings admin = config.admin();
        if (!admin.enabled()) {
            err.println("jitsu: " + config.source() + ": admin.enabled is false: no admin API to ask");
            return Main.EXIT_USAGE;
        }
        String host = Addresses.format(admin.address());
        URI uri = URI.create("http://" + host + "/api/services");
        HttpClient client = HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY) // loopback or a literal address: never through a proxy
                .connectTimeout(TIMEOUT)
                .build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "text/plain").GET();
        admin.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("jitsu: " + uri + ": HTTP " + response.statusCode() + " " + response.body().strip());
                return Main.EXIT_START_FAILED;
            }
            out.print(response.body());
            return Main.EXIT_OK;
        } catch (IOException e) {
            err.println("jitsu: cannot reach the admin API at " + uri + " (is the server running with "
                    + config.source() + "?): " + e);
            return Main.EXIT_START_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_START_FAILED;
        }
    }
}
