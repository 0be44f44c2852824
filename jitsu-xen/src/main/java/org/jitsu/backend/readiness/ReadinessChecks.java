package org.jitsu.backend.readiness;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.IpLiteral;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * Builds {@link ReadinessCheck}s from config. Network checks retry at once, then after 2 ms, doubling
 * up to 100 ms between attempts, until the caller cancels them (the pipeline bounds a boot with its
 * timeout).
 */
public final class ReadinessChecks {
    /** Per-attempt bound for a connect or an HTTP exchange. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

    private static final String KINDS = "backend, tcp, http, delay";
    private static final String EXPECTED_ITEM =
            "a mapping with exactly one of: backend: running, tcp: ADDRESS:PORT, http: URL, delay: DURATION";

    private ReadinessChecks() {
    }

    /**
     * Parses one item of a service's {@code readiness:} list, a mapping with exactly one key:
     * {@code backend: running}, {@code tcp: ADDRESS:PORT}, {@code http: URL}, {@code delay: DURATION}.
     *
     * @param item the item, with its path ({@code services[0].readiness[1]})
     * @param timer scheduler for retry intervals and delays
     * @throws ConfigException naming the key ({@code services[0].readiness[1].http}) when invalid
     */
    public static ReadinessCheck parse(Settings item, Scheduler timer) {
        Set<String> keys = item.keys();
        if (keys.size() != 1) {
            throw new ConfigException(item.path(), keys.isEmpty() ? "{}" : String.join(", ", keys), EXPECTED_ITEM);
        }
        item.allowOnly("backend", "tcp", "http", "delay");
        String kind = keys.iterator().next();
        String key = item.keyPath(kind);
        return switch (kind) {
            case "backend" -> backend(key, item.string(kind), timer);
            case "tcp" -> tcp(key, item.string(kind), timer);
            case "http" -> http(key, item.string(kind), timer);
            case "delay" -> delay(key, item.raw(kind).orElse(null), timer);
            default -> throw new ConfigException(key, "unknown key", "one of " + KINDS);
        };
    }

    private static ReadinessCheck backend(String key, String value, Scheduler timer) {
        if (!value.equals("running")) {
            throw new ConfigException(key, value, "running");
        }
        return new BackendRunningCheck(timer);
    }

    private static ReadinessCheck tcp(String key, String value, Scheduler timer) {
        InetSocketAddress address = Settings.parseSocketAddress(key, value, -1);
        return new TcpCheck(address, ATTEMPT_TIMEOUT, timer);
    }

    private static ReadinessCheck http(String key, String value, Scheduler timer) {
        String expected = "an http:// URL whose host is an IP address literal, such as http://127.0.0.2:8080/"
                + " (host names are not looked up)";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, value, expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") || uri.getRawAuthority() == null || uri.getUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new ConfigException(key, value, expected);
        }
        String host = uri.getHost();
        if (host == null || IpLiteral.parse(host).isEmpty()) {
            throw new ConfigException(key, value, expected);
        }
        return new HttpCheck(uri, ATTEMPT_TIMEOUT, timer);
    }

    private static ReadinessCheck delay(String key, Object value, Scheduler timer) {
        Duration d = Settings.parseDuration(key, value);
        return new DelayCheck(d, String.valueOf(value).trim(), timer);
    }
}
