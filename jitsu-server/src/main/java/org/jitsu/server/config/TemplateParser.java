package org.jitsu.server.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.AddressPool;
import org.jitsu.server.core.InstanceBudget;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.NamePattern;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Reads {@code templates:}: name patterns, capture rules, address pools, budgets, placeholders. */
final class TemplateParser {
    private static final String[] KEYS = {"id", "pattern", "captures", "pool", "addresses", "ttl", "backend",
        "readiness", "boot-timeout", "idle-timeout", "stop", "forget-after", "budget", "replicas"};
    /** What every instance has besides its captures. */
    static final Set<String> INSTANCE_VALUES = Set.of("instance", "address", "address6");

    private TemplateParser() {
    }

    static List<TemplateConfig> templates(Settings root, List<ZoneDefinition> zones, List<BackendConfig> backends,
                                          Set<String> serviceIds, long defaultTtl, Duration defaultBootTimeout) {
        List<?> items = root.list("templates");
        List<TemplateConfig> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int index = 0; index < items.size(); index++) {
            Object item = items.get(index);
            String itemPath = root.keyPath("templates") + "[" + index + "]";
            if (!(item instanceof Map)) {
                throw new ConfigException(itemPath, item, "a mapping");
            }
            Settings s = Settings.of(itemPath, (Map<?, ?>) item);
            TemplateConfig t = template(s, (Map<?, ?>) item, zones, backends, defaultTtl, defaultBootTimeout);
            if (serviceIds.contains(t.id()) || !ids.add(t.id())) {
                throw new ConfigException(s.keyPath("id"), t.id(), "an id no service or other template has");
            }
            for (TemplateConfig other : out) {
                if (other.pattern().toString().equals(t.pattern().toString())) {
                    throw new ConfigException(s.keyPath("pattern"), t.pattern().toString(),
                            "a pattern no other template has (" + other.path() + " has it)");
                }
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    private static TemplateConfig template(Settings s, Map<?, ?> source, List<ZoneDefinition> zones,
                                           List<BackendConfig> backends, long defaultTtl,
                                           Duration defaultBootTimeout) {
        String id = s.string("id");
        if (!ConfigParser.ID.matcher(id).matches()) {
            throw new ConfigException(s.keyPath("id"), id, ConfigParser.ID_EXPECTED);
        }
        BackendConfig backend = ServiceParser.backendOf(s, backends, KEYS);

        NamePattern pattern = pattern(s);
        DomainName suffix = pattern.suffix();
        if (zones.stream().noneMatch(z -> suffix.isSubdomainOf(z.apex()))) {
            throw new ConfigException(s.keyPath("pattern"), s.string("pattern"), "a pattern inside one of the zones: "
                    + zones.stream().map(z -> z.apex().text()).collect(Collectors.joining(", ")));
        }
        AddressPool addresses = addresses(s);
        long ttl = s.integer("ttl", defaultTtl, 0, ConfigParser.MAX_TTL);
        Duration bootTimeout = s.positiveDuration("boot-timeout", defaultBootTimeout);
        Duration idleTimeout = s.has("idle-timeout") || ttl == 0 ? s.positiveDuration("idle-timeout",
                Duration.ofSeconds(Math.max(1, 2 * ttl))) : Duration.ofSeconds(2 * ttl);
        Settings stop = s.child("stop").allowOnly("mode", "grace");
        StopMode mode = stop.enumValue("mode", StopMode.class, StopMode.DESTROY);
        Duration grace = stop.positiveDuration("grace", Duration.ofSeconds(5));
        Duration forgetAfter = s.positiveDuration("forget-after", Duration.ofMinutes(10));
        Settings b = s.child("budget").allowOnly("max-instances", "max-running", "new-per-second", "burst",
                "per-client-per-minute", "client-prefix-v4", "client-prefix-v6", "answer");
        InstanceBudget d = InstanceBudget.DEFAULT;
        int maxInstances = (int) b.integer("max-instances", d.maxInstances(), 1, 10_000_000);
        int maxRunning = (int) b.integer("max-running", Math.min(d.maxRunning(), maxInstances), 1, maxInstances);
        double perSecond = b.integer("new-per-second", (long) d.newPerSecond(), 1, 1_000_000);
        int burst = (int) b.integer("burst", d.burst(), 1, 1_000_000);
        int perClient = (int) b.integer("per-client-per-minute", d.perClientPerMinute(), 0, 1_000_000);
        int v4 = (int) b.integer("client-prefix-v4", d.v4Prefix(), 0, 32);
        int v6 = (int) b.integer("client-prefix-v6", d.v6Prefix(), 0, 128);
        String answer = b.string("answer", "servfail");
        if (!answer.equals("servfail") && !answer.equals("refused")) {
            throw new ConfigException(b.keyPath("answer"), answer, "servfail or refused");
        }
        InstanceBudget budget = new InstanceBudget(maxInstances, maxRunning, perSecond, burst, perClient, v4, v6);
        Settings spec = s.child(backend.type());
        List<Settings> readiness = ServiceParser.readiness(s);
        Optional<ReplicaSettings> replicas = s.has("replicas")
                ? Optional.of(ServiceParser.replicas(s.child("replicas"))) : Optional.empty();
        if (replicas.isPresent() && addresses.isFixed()) {
            throw new ConfigException(s.keyPath("addresses"), s.strings("addresses").toString(),
                    "pool (with replicas, each replica of an instance gets its own address from the pool)");
        }
        Set<String> known = new HashSet<>(pattern.captureNames());
        known.addAll(INSTANCE_VALUES);
        if (replicas.isPresent()) {
            known.add("replica");
        }
        checkPlaceholders(spec, known);
        for (Settings item : readiness) {
            checkPlaceholders(item, known);
        }
        return new TemplateConfig(id, s.path(), pattern, ttl, addresses, backend.name(), spec, readiness, bootTimeout,
                idleTimeout, mode, grace, forgetAfter, budget, answer.equals("refused"), source, replicas);
    }

    private static NamePattern pattern(Settings s) {
        String text = s.string("pattern");
        Settings captures = s.child("captures");
        List<NamePattern.Rule> rules = new ArrayList<>();
        for (String name : captures.keys()) {
            Settings c = captures.child(name).allowOnly("regex", "max-length", "reserved");
            Pattern regex = NamePattern.HOST_LABEL;
            if (c.has("regex")) {
                try {
                    regex = Pattern.compile(c.string("regex"));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(c.keyPath("regex"), c.string("regex"), "a Java regular expression ("
                            + e.getDescription() + ")");
                }
            }
            int maxLength = (int) c.integer("max-length", 63, 1, 63);
            Set<String> reserved = new HashSet<>();
            for (String r : c.strings("reserved")) {
                reserved.add(r.toLowerCase(java.util.Locale.ROOT));
            }
            rules.add(new NamePattern.Rule(name, regex, maxLength, reserved));
        }
        try {
            return NamePattern.parse(text, rules);
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("a rule for") ? s.keyPath("captures") : s.keyPath("pattern");
            throw new ConfigException(key, text, "a name pattern such as {page}.pages.example.test ("
                    + e.getMessage() + ")");
        }
    }

    private static AddressPool addresses(Settings s) {
        if (s.has("pool") == s.has("addresses")) {
            throw new ConfigException(s.keyPath("pool"), null, "either pool (IPv4 and/or IPv6 ranges, one"
                    + " address of each per instance, such as [127.1.0.0/16]) or addresses (the same for all)");
        }
        if (s.has("addresses")) {
            List<InetAddress> fixed = s.addresses("addresses");
            if (fixed.isEmpty()) {
                throw new ConfigException(s.keyPath("addresses"), "[]", "at least one IPv4 or IPv6 address literal");
            }
            ConfigParser.unique(s.keyPath("addresses"), fixed);
            return AddressPool.fixed(fixed);
        }
        List<String> texts = s.strings("pool");
        if (texts.isEmpty() || texts.size() > 2) {
            throw new ConfigException(s.keyPath("pool"), texts.toString(), "one IPv4 range, one IPv6 range, or one of each");
        }
        List<InetAddress> networks = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String key = s.keyPath("pool") + "[" + i + "]";
            String text = texts.get(i);
            Optional<Cidr> cidr = text.contains("/") ? Cidr.parse(text) : Optional.empty();
            if (cidr.isEmpty()) {
                throw new ConfigException(key, text, "an IP range such as 127.1.0.0/16 or fd00:1::/64");
            }
            networks.add(cidr.get().network());
            lengths.add(cidr.get().prefixLength());
            try {
                AddressPool.ranges(networks, lengths);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, text, "a range with usable addresses, its host bits zero, at most one"
                        + " per address family (" + e.getMessage() + ")");
            }
        }
        return AddressPool.ranges(networks, lengths);
    }

    /** Every {@code ${name}} in the strings of {@code s} names a capture or an instance value. */
    private static void checkPlaceholders(Settings s, Set<String> known) {
        for (String key : s.keys()) {
            checkValue(s.keyPath(key), s.raw(key).orElse(null), known);
        }
    }

    private static void checkValue(String path, Object v, Set<String> known) {
        if (v instanceof String text) {
            Matcher m = TemplateConfig.PLACEHOLDER.matcher(text);
            while (m.find()) {
                if (!known.contains(m.group(1))) {
                    throw new ConfigException(path, text, "placeholders among ${" + String.join("}, ${",
                            known.stream().sorted().toList()) + "}");
                }
            }
        } else if (v instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                checkValue(path + "." + e.getKey(), e.getValue(), known);
            }
        } else if (v instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                checkValue(path + "[" + i + "]", list.get(i), known);
            }
        }
    }
}
