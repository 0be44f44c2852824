package org.jitsu.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jitsu.server.admin.AdminSettings;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.dns.ForwardSettings;
import org.jitsu.server.dns.CookieSettings;
import org.jitsu.server.dns.ListenSettings;
import org.jitsu.server.dns.RateLimitSettings;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Walks the root mapping of a config file and builds a {@link JitsuConfig}; fails on the first problem. */
final class ConfigParser {
    /** Names of backends and ids of services. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final String ID_EXPECTED = "a lower-case name of letters, digits and '-' (at most 63), such as www or web-1";
    /** Largest TTL (RFC 2181 §8). */
    static final long MAX_TTL = Integer.MAX_VALUE;

    private ConfigParser() {
    }

    /** The environment variable that may hold the admin token. */
    static final String TOKEN_ENV = "JITSU_ADMIN_TOKEN";
    static final int MIN_TOKEN_LENGTH = 16;

    static JitsuConfig parse(Settings root, String source, Instant now, Map<String, String> env) {
        root.allowOnly("listen", "dns", "zones", "forward", "boot", "idle", "state-dir", "backends", "services",
                "templates", "admin", "metrics", "store", "rate-limit", "cookies", "proxy");
        ListenSettings listen = listen(root.child("listen"));
        Settings dns = root.child("dns").allowOnly("ttl");
        long defaultTtl = dns.integer("ttl", 60, 0, MAX_TTL);
        List<ZoneDefinition> zones = ZoneParser.zones(root, now);
        Optional<ForwardSettings> forward = root.has("forward") ? Optional.of(forward(root.child("forward")))
                : Optional.empty();
        Settings boot = root.child("boot").allowOnly("max-concurrent", "max-queued", "max-waiters", "timeout");
        BootLimits defaults = BootLimits.DEFAULT; // the core's defaults
        BootLimits limits = new BootLimits(
                (int) boot.integer("max-concurrent", defaults.maxConcurrent(), 1, 4096),
                (int) boot.integer("max-queued", defaults.maxQueued(), 0, 1_000_000),
                (int) boot.integer("max-waiters", defaults.maxWaitersPerBoot(), 1, 1_000_000));
        Duration bootTimeout = boot.positiveDuration("timeout", Duration.ofSeconds(30));
        Settings idle = root.child("idle").allowOnly("check-interval");
        Duration idleCheck = idle.positiveDuration("check-interval", Duration.ofSeconds(5));
        Path stateDir = stateDir(root);
        List<BackendConfig> backends = backends(root);
        List<ServiceConfig> services = ServiceParser.services(root, zones, backends, defaultTtl, bootTimeout);
        Set<String> serviceIds = new HashSet<>();
        services.forEach(sc -> serviceIds.add(sc.id()));
        List<TemplateConfig> templates = TemplateParser.templates(root, zones, backends, serviceIds, defaultTtl,
                bootTimeout);
        AdminSettings admin = admin(root.child("admin"), env);
        boolean metrics = root.child("metrics").allowOnly("enabled").bool("enabled", true);
        StoreSettings store = StoreParser.store(root.child("store"), stateDir, listen);
        return new JitsuConfig(source, listen, forward, defaultTtl, zones, limits, bootTimeout, idleCheck, stateDir,
                backends, services, admin, metrics, store, templates, rateLimit(root), cookies(root),
                HoldParser.proxy(root));
    }

    /** {@code cookies:}: present (even empty) turns DNS cookies on; {@code secret}: 32 hex digits. */
    static CookieSettings cookies(Settings root) {
        if (!root.has("cookies")) {
            return CookieSettings.OFF;
        }
        Settings s = root.child("cookies").allowOnly("secret");
        Optional<String> secret = s.optString("secret");
        if (secret.isPresent() && !secret.get().matches("[0-9a-fA-F]{32}")) {
            throw new ConfigException(s.keyPath("secret"), "(" + secret.get().length() + " characters, not shown)",
                    "32 hex digits (16 bytes), the same on every server behind one address");
        }
        return new CookieSettings(true, secret);
    }

    /** {@code rate-limit:}: present (even empty) turns response-rate limiting on, with NSD's defaults. */
    static RateLimitSettings rateLimit(Settings root) {
        if (!root.has("rate-limit")) {
            return RateLimitSettings.OFF;
        }
        Settings s = root.child("rate-limit").allowOnly("responses-per-second", "slip", "ipv4-prefix", "ipv6-prefix",
                "table-size", "allow", "dry-run");
        int rate = (int) s.integer("responses-per-second", 200, 1, 1_000_000);
        int slip = (int) s.integer("slip", 2, 0, 100);
        int v4 = (int) s.integer("ipv4-prefix", 24, 0, 32);
        int v6 = (int) s.integer("ipv6-prefix", 56, 0, 128);
        int size = (int) s.integer("table-size", 262_144, 1, 1 << 26);
        if (Integer.bitCount(size) != 1) {
            throw new ConfigException(s.keyPath("table-size"), size, "a power of two, such as 262144");
        }
        List<Cidr> allow = new ArrayList<>();
        List<String> texts = s.strings("allow");
        for (int i = 0; i < texts.size(); i++) {
            String key = s.keyPath("allow") + "[" + i + "]";
            String text = texts.get(i);
            allow.add(Cidr.parse(text).orElseThrow(() -> new ConfigException(key, text,
                    "an IP network literal such as 192.0.2.0/24 or 2001:db8::/32")));
        }
        return new RateLimitSettings(true, rate, slip, v4, v6, size, allow, s.bool("dry-run", false));
    }

    static AdminSettings defaultAdmin() {
        return new AdminSettings(true, new InetSocketAddress(Settings.parseAddress("admin.address", "127.0.0.1"),
                AdminSettings.DEFAULT_PORT), Optional.empty());
    }

    /** {@code IP:port} or {@code [IPv6]:port}; port 0 (any free port, for tests) is allowed here. */
    private static InetSocketAddress adminAddress(String key, String text) {
        boolean anyPort = text.endsWith("]:0") || (!text.contains("[") && text.indexOf(':') == text.lastIndexOf(':')
                && text.endsWith(":0"));
        if (!anyPort) {
            return Settings.parseSocketAddress(key, text, AdminSettings.DEFAULT_PORT);
        }
        InetSocketAddress a = Settings.parseSocketAddress(key, text.substring(0, text.length() - 1) + "1", 1);
        return new InetSocketAddress(a.getAddress(), 0);
    }

    static AdminSettings admin(Settings s, Map<String, String> env) {
        s.allowOnly("enabled", "address", "token");
        boolean enabled = s.bool("enabled", true);
        InetSocketAddress address = s.has("address") ? adminAddress(s.keyPath("address"), s.string("address"))
                : defaultAdmin().address();
        Optional<String> token = s.optString("token").or(() -> Optional.ofNullable(env.get(TOKEN_ENV)))
                .filter(t -> !t.isEmpty());
        if (token.isPresent() && (token.get().length() < MIN_TOKEN_LENGTH || token.get().chars().anyMatch(
                c -> c <= ' ' || c > '~'))) {
            throw new ConfigException(s.has("token") ? s.keyPath("token") : TOKEN_ENV, "(" + token.get().length()
                    + " characters, not shown)", "at least " + MIN_TOKEN_LENGTH + " printable ASCII characters"
                    + " without spaces");
        }
        if (enabled && token.isEmpty() && !address.getAddress().isLoopbackAddress()) {
            throw new ConfigException(s.keyPath("token"), null, "a bearer token (admin.token, or the environment"
                    + " variable " + TOKEN_ENV + ") because admin.address " + s.string("address", "")
                    + " is not a loopback address");
        }
        return new AdminSettings(enabled, address, token);
    }

    static ListenSettings listen(Settings s) {
        s.allowOnly("addresses", "port", "event-loops", "udp-receive-buffer", "udp-receive-batch", "max-udp-payload",
                "tcp");
        List<InetAddress> addresses;
        if (s.has("addresses")) {
            addresses = s.addresses("addresses");
            if (addresses.isEmpty()) {
                throw new ConfigException(s.keyPath("addresses"), "[]", "at least one IP address literal");
            }
            unique(s.keyPath("addresses"), addresses);
            for (int i = 0; i < addresses.size(); i++) {
                if (addresses.get(i).isAnyLocalAddress()) {
                    // a UDP socket on a wildcard address may answer from another address than the one
                    // the client asked (no IP_PKTINFO handling): clients would drop those answers
                    throw new ConfigException(s.keyPath("addresses") + "[" + i + "]", s.strings("addresses").get(i),
                            "a specific address such as 127.0.0.1 or 192.0.2.53 (wildcard addresses are not"
                                    + " supported: list each address to serve on)");
                }
            }
        } else {
            addresses = List.of(Settings.parseAddress("listen.addresses", "127.0.0.1"),
                    Settings.parseAddress("listen.addresses", "::1"));
        }
        int port = (int) s.integer("port", 5353, 0, 65535);
        int eventLoops = (int) s.integer("event-loops", 0, 0, 1024);
        int receiveBuffer = (int) s.size("udp-receive-buffer", 4L * 1024 * 1024, 4096, 1024L * 1024 * 1024);
        int maxPayload = (int) s.integer("max-udp-payload", 1232, 512, 4096);
        int receiveBatch = (int) s.integer("udp-receive-batch", ListenSettings.DEFAULT_UDP_RECEIVE_BATCH, 1,
                ListenSettings.MAX_UDP_RECEIVE_BATCH);
        Settings tcp = s.child("tcp").allowOnly("idle-timeout", "max-connections");
        Duration idle = tcp.positiveDuration("idle-timeout", Duration.ofSeconds(10));
        int maxConnections = (int) tcp.integer("max-connections", 1024, 1, 1_000_000);
        return new ListenSettings(addresses, port, eventLoops, receiveBuffer, maxPayload, idle, maxConnections,
                receiveBatch);
    }

    static ForwardSettings forward(Settings s) {
        s.allowOnly("upstreams", "timeout", "allow");
        List<String> texts = s.strings("upstreams");
        if (texts.isEmpty()) {
            throw new ConfigException(s.keyPath("upstreams"), s.has("upstreams") ? "[]" : null,
                    "at least one upstream resolver as IP:port, such as 127.0.0.1:5300 or [::1]:53");
        }
        List<InetSocketAddress> upstreams = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            upstreams.add(Settings.parseSocketAddress(s.keyPath("upstreams") + "[" + i + "]", texts.get(i), 53));
        }
        Duration timeout = s.positiveDuration("timeout", Duration.ofSeconds(2));
        List<String> allowTexts = s.has("allow") ? s.strings("allow") : List.of("127.0.0.0/8", "::1/128");
        List<Cidr> allow = new ArrayList<>();
        for (int i = 0; i < allowTexts.size(); i++) {
            String key = s.keyPath("allow") + "[" + i + "]";
            String text = allowTexts.get(i);
            allow.add(Cidr.parse(text).orElseThrow(() -> new ConfigException(key, text,
                    "an IP network literal such as 127.0.0.0/8 or ::1/128")));
        }
        return new ForwardSettings(upstreams, timeout, allow);
    }

    private static Path stateDir(Settings root) {
        String text = root.string("state-dir", "run");
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigException("state-dir", text, "a directory path (relative to the working directory)");
        }
    }

    static List<BackendConfig> backends(Settings root) {
        Settings all = root.child("backends");
        List<BackendConfig> out = new ArrayList<>();
        for (String name : all.keys()) {
            Settings b = all.child(name);
            if (!ID.matcher(name).matches()) {
                throw new ConfigException(b.path(), "\"" + name + "\"", "a backend name: " + ID_EXPECTED);
            }
            String type = b.string("type");
            Map<String, Object> rest = new LinkedHashMap<>();
            for (String key : b.keys()) {
                if (!key.equals("type")) {
                    rest.put(key, b.raw(key).orElse(null));
                }
            }
            out.add(new BackendConfig(name, type, Settings.of(b.path(), rest)));
        }
        return out;
    }

    /** A required domain name. */
    static DomainName name(Settings s, String key) {
        return name(s.keyPath(key), s.string(key));
    }

    static DomainName name(String key, String text) {
        try {
            return DomainName.of(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, text, "a domain name such as www.example.test (" + e.getMessage() + ")");
        }
    }

    /** A list of domain names; at least one when {@code required}. */
    static List<DomainName> names(Settings s, String key, boolean required) {
        List<String> texts = s.strings(key);
        if (required && texts.isEmpty()) {
            throw new ConfigException(s.keyPath(key), s.has(key) ? "[]" : null, "at least one domain name");
        }
        List<DomainName> out = new ArrayList<>();
        Set<DomainName> seen = new HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            String itemKey = s.keyPath(key) + "[" + i + "]";
            DomainName n = name(itemKey, texts.get(i));
            if (!seen.add(n)) {
                throw new ConfigException(itemKey, texts.get(i), "each name once");
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    static void unique(String key, List<InetAddress> addresses) {
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < addresses.size(); i++) {
            if (!seen.add(addresses.get(i))) {
                throw new ConfigException(key + "[" + i + "]", addresses.get(i).getHostAddress(), "each address once");
            }
        }
    }
}
