package org.jitsu.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.admin.AdminSettings;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.settings.ConfigException;

/**
 * {@code jitsu service add ID FILE|-}, {@code service rm ID}, {@code service list}: registers, removes
 * and lists services at run time through the admin API of the server running with a config
 * ({@code POST}/{@code DELETE /api/services/ID}, {@code GET /api/services}). FILE (or stdin for
 * {@code -}) holds one service as YAML or JSON, the keys of a {@code services[]} entry. Exit 0 when the
 * server applied it, 1 when it refused or could not be reached, 2 for a usage error.
 */
final class ServiceCommand {
    static final String USAGE = "usage: jitsu service add ID FILE|- [--config FILE] | service rm ID [--config FILE]"
            + " | service list [--config FILE]";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ServiceCommand() {
    }

    static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        List<String> words = new ArrayList<>();
        String configFile = Main.DEFAULT_CONFIG;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") || a.equals("-c")) {
                if (i + 1 >= args.size()) {
                    return usage(err, a + " needs a file name");
                }
                configFile = args.get(++i);
            } else if (a.startsWith("--config=")) {
                configFile = a.substring("--config=".length());
            } else if (a.startsWith("-") && !a.equals("-")) {
                return usage(err, "unknown option: " + a);
            } else {
                words.add(a);
            }
        }
        if (words.isEmpty()) {
            return usage(err, "missing sub-command");
        }
        String sub = words.get(0);
        int expected = sub.equals("add") ? 3 : sub.equals("rm") ? 2 : sub.equals("list") ? 1 : -1;
        if (expected < 0) {
            return usage(err, "unknown sub-command: " + sub);
        }
        if (words.size() != expected) {
            return usage(err, "service " + sub + " takes " + (expected - 1) + " argument" + (expected == 2 ? "" : "s"));
        }
        JitsuConfig config;
        try {
            config = JitsuConfig.load(Path.of(configFile));
        } catch (ConfigException e) {
            err.println("jitsu: " + configFile + ": " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("jitsu: " + configFile + ": cannot read: " + e);
            return Main.EXIT_USAGE;
        }
        AdminSettings admin = config.admin();
        if (!admin.enabled()) {
            err.println("jitsu: " + configFile + ": admin.enabled is false: no admin API to ask");
            return Main.EXIT_USAGE;
        }
        String base = "http://" + Addresses.format(admin.address());
        HttpRequest.Builder request;
        switch (sub) {
            case "list":
                request = HttpRequest.newBuilder(URI.create(base + "/api/services")).header("Accept", "text/plain")
                        .GET();
                break;
            case "rm":
                request = HttpRequest.newBuilder(URI.create(base + "/api/services/" + words.get(1))).DELETE();
                break;
            default:
                Optional<String> body = read(words.get(2), in, err);
                if (body.isEmpty()) {
                    return Main.EXIT_USAGE;
                }
                request = HttpRequest.newBuilder(URI.create(base + "/api/services/" + words.get(1)))
                        .header("Content-Type", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(body.get(), StandardCharsets.UTF_8));
                break;
        }
        admin.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(TIMEOUT).build();
        try {
            HttpResponse<String> response = client.send(request.timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("jitsu: HTTP " + response.statusCode() + ": " + response.body().strip());
                return Main.EXIT_START_FAILED;
            }
            out.print(response.body());
            return Main.EXIT_OK;
        } catch (IOException e) {
            err.println("jitsu: cannot reach the admin API at " + base + " (is the server running with "
                    + configFile + "?): " + e);
            return Main.EXIT_START_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_START_FAILED;
        }
    }

    private static Optional<String> read(String file, InputStream in, PrintStream err) {
        try {
            return Optional.of(file.equals("-") ? new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            err.println("jitsu: " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            err.println("jitsu: " + file + ": cannot read: " + e);
        }
        return Optional.empty();
    }

    private static int usage(PrintStream err, String problem) {
        err.println("jitsu: " + problem);
        err.println(USAGE);
        return Main.EXIT_USAGE;
    }
}
