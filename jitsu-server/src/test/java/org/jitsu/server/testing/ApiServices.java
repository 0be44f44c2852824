package org.jitsu.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code GET /api/services} of the admin endpoint, read into one {@link Service} per entry, by id. */
public final class ApiServices {
    private static final Pattern SERVICE = Pattern.compile("\\{\"id\":\"([^\"]*)\",\"names\":\\[([^\\]]*)],"
            + "\"addresses\":\\[([^\\]]*)],\"backend\":\"([^\"]*)\",\"state\":\"([A-Z]+)\",[^{}]*?"
            + "\"boots\":(\\d+),\"failures\":(\\d+),[^{}]*}");
    private static final HttpClient HTTP = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ApiServices() {
    }

    /** One entry: what the admin API says about a service or a template instance. */
    public record Service(String id, List<String> names, List<String> addresses, String backend, String state,
                          long boots, long failures) {
    }

    /** The services the server at {@code adminUrl} shows now, by id, in its order. */
    public static Map<String, Service> get(String adminUrl) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl + "/api/services"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET /api/services: " + r.statusCode() + " " + r.body());
            }
            return parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The entries of a {@code /api/services} body, by id. */
    public static Map<String, Service> parse(String body) {
        Map<String, Service> out = new LinkedHashMap<>();
        Matcher m = SERVICE.matcher(body);
        while (m.find()) {
            out.put(m.group(1), new Service(m.group(1), strings(m.group(2)), strings(m.group(3)), m.group(4),
                    m.group(5), Long.parseLong(m.group(6)), Long.parseLong(m.group(7))));
        }
        int entries = body.split("\\{\"id\":", -1).length - 1;
        if (entries != out.size()) {
            throw new AssertionError("read " + out.size() + " of " + entries + " entries of /api/services: " + body);
        }
        return out;
    }

    private static List<String> strings(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip().replaceAll("^\"|\"$", ""));
            }
        }
        return List.copyOf(out);
    }
}
