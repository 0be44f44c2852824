package org.jitsu.server.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jitsu.server.proxy.HeldPort;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.server.proxy.ProxySettings;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Reads a service's {@code answer:} and {@code hold:}, and the top-level {@code proxy:}. */
final class HoldParser {
    private HoldParser() {
    }

    /** {@code answer:}: true for {@code at-once}, false for {@code when-ready} (the default). */
    static boolean answerAtOnce(Settings s) {
        String answer = s.string("answer", "when-ready");
        return switch (answer) {
            case "when-ready" -> false;
            case "at-once" -> true;
            default -> throw new ConfigException(s.keyPath("answer"), answer, "when-ready or at-once");
        };
    }

    /** {@code hold:} of a service with these addresses, if present. */
    static Optional<HoldSettings> hold(Settings service, List<InetAddress> addresses, boolean atOnce) {
        if (!service.has("hold")) {
            if (atOnce) {
                throw new ConfigException(service.keyPath("hold"), null, "a mapping with front and ports"
                        + " (answer: at-once answers with the front's addresses, where Jitsu holds the connections)");
            }
            return Optional.empty();
        }
        if (service.has("replicas")) {
            throw new ConfigException(service.keyPath("hold"), service.raw("hold").orElse(null),
                    "no hold on a service with replicas (not supported yet)");
        }
        Settings h = service.child("hold").allowOnly("front", "ports", "max-held", "buffer", "drain", "active-within",
                "retry-after", "release-window", "release-settle");
        if (!h.has("front")) {
            throw new ConfigException(h.keyPath("front"), null, "at least one IPv4 or IPv6 address literal");
        }
        List<InetAddress> front = h.addresses("front");
        if (front.isEmpty()) {
            throw new ConfigException(h.keyPath("front"), "[]", "at least one IPv4 or IPv6 address literal");
        }
        ConfigParser.unique(h.keyPath("front"), front);
        for (int i = 0; i < front.size(); i++) {
            if (addresses.contains(front.get(i))) {
                throw new ConfigException(h.keyPath("front") + "[" + i + "]", front.get(i).getHostAddress(),
                        "an address other than the service's own (the front and the service both listen)");
            }
        }
        for (boolean v4 : new boolean[] {true, false}) {
            boolean serviceHas = addresses.stream().anyMatch(a -> (a.getAddress().length == 4) == v4);
            boolean frontHas = front.stream().anyMatch(a -> (a.getAddress().length == 4) == v4);
            if (serviceHas && !frontHas) {
                throw new ConfigException(h.keyPath("front"), front.stream().map(InetAddress::getHostAddress).toList(),
                        "an " + (v4 ? "IPv4" : "IPv6") + " address too (the service has one: its "
                                + (v4 ? "A" : "AAAA") + " queries are answered with the front's)");
            }
        }
        List<HeldPort> ports = ports(h);
        int maxHeld = (int) h.integer("max-held", HoldSettings.DEFAULT_MAX_HELD, 1, 1_000_000);
        int buffer = (int) h.size("buffer", HoldSettings.DEFAULT_BUFFER, 1, 64L * 1024 * 1024);
        Duration drain = h.duration("drain", HoldSettings.DEFAULT_DRAIN);
        if (drain.isNegative()) {
            throw new ConfigException(h.keyPath("drain"), drain, "a duration >= 0");
        }
        Duration active = h.positiveDuration("active-within", HoldSettings.DEFAULT_ACTIVE_WITHIN);
        Duration retryAfter = h.positiveDuration("retry-after", HoldSettings.DEFAULT_RETRY_AFTER);
        int window = (int) h.integer("release-window", HoldSettings.DEFAULT_RELEASE_WINDOW, 1, 65_535);
        Duration settle = h.positiveDuration("release-settle", HoldSettings.DEFAULT_RELEASE_SETTLE);
        return Optional.of(new HoldSettings(front, ports, maxHeld, buffer, drain, active, retryAfter, window, settle));
    }

    private static List<HeldPort> ports(Settings h) {
        List<?> items = h.list("ports");
        if (items.isEmpty()) {
            throw new ConfigException(h.keyPath("ports"), h.raw("ports").orElse(null),
                    "at least one port, such as [80] or [{port: 80, to: 8080, http: true}]");
        }
        List<HeldPort> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String path = h.keyPath("ports") + "[" + i + "]";
            Object item = items.get(i);
            HeldPort port;
            if (item instanceof Map<?, ?> m) {
                Settings p = Settings.of(path, m).allowOnly("port", "to", "http");
                int listen = (int) p.integer("port", 1, 65535);
                port = new HeldPort(listen, (int) p.integer("to", listen, 1, 65535), p.bool("http", false));
            } else {
                Settings p = Settings.of(h.path(), Map.of("ports[" + i + "]", item));
                int listen = (int) p.integer("ports[" + i + "]", 1, 65535);
                port = new HeldPort(listen, listen, false);
            }
            if (!seen.add(port.port())) {
                throw new ConfigException(path, port.port(), "a port not listed twice");
            }
            out.add(port);
        }
        return out;
    }

    /** {@code proxy:}: the front's limits shared by every service. */
    static ProxySettings proxy(Settings root) {
        Settings p = root.child("proxy").allowOnly("max-held", "event-loops");
        ProxySettings d = ProxySettings.DEFAULT;
        return new ProxySettings((int) p.integer("max-held", d.maxHeld(), 1, 10_000_000),
                (int) p.integer("event-loops", d.eventLoops(), 1, 256));
    }
}
