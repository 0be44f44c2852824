package org.jitsu.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.Sites;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.server.proxy.HeldPort;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Reads {@code services:} and checks ids, names and backend references across services. */
final class ServiceParser {
    private static final String[] KEYS = {"id", "names", "addresses", "ttl", "backend", "readiness", "boot-timeout",
        "idle-timeout", "stop", "replicas", "answer", "hold"};

    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private ServiceParser() {
    }

    static List<ServiceConfig> services(Settings root, List<ZoneDefinition> zones, List<BackendConfig> backends,
                                        long defaultTtl, Duration defaultBootTimeout) {
        // one service's Settings at a time (not a list of 100,000 copies, all alive until the end)
        List<?> items = root.list("services");
        if (!items.isEmpty() && backends.isEmpty()) {
            throw new ConfigException("backends", null, "a mapping of backend names to settings, such as local: {type: process}");
        }
        Map<String, String> ids = new HashMap<>(items.size() * 4 / 3 + 1);
        Map<DomainName, String> owners = new HashMap<>(items.size() * 4 / 3 + 1);
        Map<Duration, Duration> durations = new HashMap<>(); // equal durations are one object
        Map<String, String> fronts = new HashMap<>(); // front address:port -> the service holding it
        List<ServiceConfig> out = new ArrayList<>(items.size());
        for (int index = 0; index < items.size(); index++) {
            Object item = items.get(index);
            String itemPath = root.keyPath("services") + "[" + index + "]";
            if (!(item instanceof Map)) {
                throw new ConfigException(itemPath, item, "a mapping");
            }
            Settings s = Settings.of(itemPath, (Map<?, ?>) item);
            ServiceConfig service = service(s, zones, backends, defaultTtl, defaultBootTimeout, durations);
            String first = ids.putIfAbsent(service.id(), s.path());
            if (first != null) {
                throw new ConfigException(s.keyPath("id"), service.id(), "an id no other service has (" + first + " has it)");
            }
            for (int i = 0; i < service.names().size(); i++) {
                DomainName name = service.names().get(i);
                String owner = owners.putIfAbsent(name, s.path());
                if (owner != null) {
                    throw new ConfigException(s.keyPath("names") + "[" + i + "]", name.text(),
                            "a name no other service has (" + owner + " has it)");
                }
            }
            checkFronts(s, service, fronts);
            out.add(service);
        }
        return List.copyOf(out);
    }

    private static ServiceConfig service(Settings s, List<ZoneDefinition> zones, List<BackendConfig> backends,
                                         long defaultTtl, Duration defaultBootTimeout,
                                         Map<Duration, Duration> durations) {
        String id = s.string("id");
        if (!ConfigParser.ID.matcher(id).matches()) {
            throw new ConfigException(s.keyPath("id"), id, ConfigParser.ID_EXPECTED);
        }
        BackendConfig backend = backendOf(s, backends, KEYS);

        List<DomainName> names = ConfigParser.names(s, "names", true);
        for (int i = 0; i < names.size(); i++) {
            checkName(s.keyPath("names") + "[" + i + "]", names.get(i), zones);
        }
        if (!s.has("addresses")) {
            throw new ConfigException(s.keyPath("addresses"), null, "at least one IPv4 or IPv6 address literal");
        }
        List<InetAddress> addresses = s.addresses("addresses");
        if (addresses.isEmpty()) {
            throw new ConfigException(s.keyPath("addresses"), "[]", "at least one IPv4 or IPv6 address literal");
        }
        ConfigParser.unique(s.keyPath("addresses"), addresses);
        long ttl = s.integer("ttl", defaultTtl, 0, ConfigParser.MAX_TTL);
        Duration bootTimeout = durations.computeIfAbsent(s.positiveDuration("boot-timeout", defaultBootTimeout), d -> d);
        Duration idleTimeout = durations.computeIfAbsent(idleTimeout(s, ttl), d -> d);
        Settings stop = s.child("stop").allowOnly("mode", "grace");
        StopMode mode = stop.enumValue("mode", StopMode.class, StopMode.DESTROY);
        Duration grace = durations.computeIfAbsent(stop.positiveDuration("grace", DEFAULT_GRACE), d -> d);
        Optional<ReplicaSettings> replicaSettings = s.has("replicas") ? Optional.of(replicas(s.child("replicas")))
                : Optional.empty();
        Optional<ReplicaPolicy> replicas = replicaSettings.map(ReplicaSettings::policy);
        NamedReplicas.Selection selection = replicaSettings.map(ReplicaSettings::selection)
                .orElse(NamedReplicas.Selection.ROUND_ROBIN);
        Sites sites = replicaSettings.map(ReplicaSettings::sites).orElse(Sites.NONE);
        if (replicas.isPresent()) {
            int max = replicas.get().max();
            long v4 = addresses.stream().filter(a -> a.getAddress().length == 4).count();
            long v6 = addresses.size() - v4;
            if ((v4 != 0 && v4 != max) || (v6 != 0 && v6 != max)) {
                throw new ConfigException(s.keyPath("addresses"), addresses.size() + " addresses (" + v4 + " IPv4, "
                        + v6 + " IPv6)", "one address per replica of each family: " + max + " IPv4 and/or " + max
                        + " IPv6 (replicas.max is " + max + ")");
            }
        }
        boolean atOnce = HoldParser.answerAtOnce(s);
        Optional<HoldSettings> hold = HoldParser.hold(s, addresses, atOnce);
        return new ServiceConfig(id, s.path(), names, addresses, ttl, backend.name(), s.child(backend.type()),
                readiness(s), bootTimeout, idleTimeout, mode, grace, replicas, selection, sites, atOnce, hold);
    }

    /** No two services hold the same front address and port. */
    private static void checkFronts(Settings s, ServiceConfig service, Map<String, String> fronts) {
        if (service.hold().isEmpty()) {
            return;
        }
        HoldSettings hold = service.hold().get();
        for (InetAddress front : hold.front()) {
            for (HeldPort port : hold.ports()) {
                String key = Addresses.format(new InetSocketAddress(front, port.port()));
                String owner = fronts.putIfAbsent(key, s.path());
                if (owner != null) {
                    throw new ConfigException(s.keyPath("hold") + ".front", key,
                            "a front address and port no other service holds (" + owner + " holds it)");
                }
            }
        }
    }

    private static void checkName(String key, DomainName name, List<ZoneDefinition> zones) {
        Optional<ZoneDefinition> zone = zones.stream().filter(z -> name.isSubdomainOf(z.apex())).findFirst();
        if (zone.isEmpty()) {
            throw new ConfigException(key, name.text(), "a name inside one of the zones: "
                    + zones.stream().map(z -> z.apex().text()).collect(Collectors.joining(", ")));
        }
        for (ZoneDefinition z : zones) {
            if (z.hosts().containsKey(name)) {
                throw new ConfigException(key, name.text(), "a name that is not a static host of zone " + z.apex().text());
            }
        }
    }

    private static Duration idleTimeout(Settings s, long ttl) {
        if (s.has("idle-timeout") || ttl == 0) {
            if (!s.has("idle-timeout")) {
                throw new ConfigException(s.keyPath("idle-timeout"), null,
                        "a duration greater than 0 (required when ttl is 0; the default is 2 x ttl)");
            }
            return s.positiveDuration("idle-timeout", Duration.ZERO);
        }
        return Duration.ofSeconds(2 * ttl);
    }

    /**
     * The backend an entry names ({@code backend:}), after checking that the entry has only {@code keys}
     * and the section named after that backend's type.
     */
    static BackendConfig backendOf(Settings s, List<BackendConfig> backends, String... keys) {
        String backendName = s.string("backend");
        BackendConfig backend = backends.stream().filter(b -> b.name().equals(backendName)).findFirst()
                .orElseThrow(() -> new ConfigException(s.keyPath("backend"), backendName, "one of the backends: "
                        + backends.stream().map(BackendConfig::name).collect(Collectors.joining(", "))));
        String[] allowed = java.util.Arrays.copyOf(keys, keys.length + 1);
        allowed[keys.length] = backend.type();
        s.allowOnly(allowed);
        return backend;
    }

    /** A {@code replicas:} section (of a service or a template). */
    static ReplicaSettings replicas(Settings r) {
        r.allowOnly("min", "max", "target-qps", "answer", "sites");
        int max = (int) r.integer("max", 1, 64);
        int min = (int) r.integer("min", 1, 0, max);
        double target = r.integer("target-qps", 100, 1, 10_000_000);
        String answer = r.string("answer", "round-robin");
        NamedReplicas.Selection selection = switch (answer) {
            case "round-robin" -> NamedReplicas.Selection.ROUND_ROBIN;
            case "client" -> NamedReplicas.Selection.CLIENT;
            case "nearest" -> NamedReplicas.Selection.NEAREST;
            default -> throw new ConfigException(r.keyPath("answer"), answer, "round-robin, client or nearest");
        };
        Sites sites = sites(r, max);
        if (selection == NamedReplicas.Selection.NEAREST && sites.isEmpty()) {
            throw new ConfigException(r.keyPath("sites"), null, "client prefixes and the replicas nearest them,"
                    + " such as {\"198.51.100.0/24\": [1], \"203.0.113.0/24\": [2, 3]} (answer: nearest)");
        }
        return new ReplicaSettings(new ReplicaPolicy(min, max, target), selection, sites);
    }

    /** {@code replicas.sites}: client prefix → the replicas (1 to {@code max}) nearest it. */
    private static Sites sites(Settings r, int max) {
        Settings table = r.child("sites");
        List<Sites.Site> rows = new ArrayList<>();
        for (String prefix : table.keys()) {
            String key = table.keyPath(prefix);
            Optional<Cidr> cidr = prefix.contains("/") ? Cidr.parse(prefix) : Optional.empty();
            if (cidr.isEmpty()) {
                throw new ConfigException(key, prefix, "a client prefix such as 198.51.100.0/24 or 2001:db8::/32");
            }
            List<Integer> replicas = new ArrayList<>();
            List<?> items = table.list(prefix);
            for (int i = 0; i < items.size(); i++) {
                Object v = items.get(i);
                if (!(v instanceof Number n) || n.intValue() < 1 || n.intValue() > max || n.doubleValue() != n.intValue()) {
                    throw new ConfigException(key + "[" + i + "]", v, "a replica number from 1 to " + max);
                }
                replicas.add(n.intValue());
            }
            if (replicas.isEmpty()) {
                throw new ConfigException(key, "[]", "at least one replica number from 1 to " + max);
            }
            rows.add(new Sites.Site(cidr.get().network(), cidr.get().prefixLength(), replicas));
        }
        return new Sites(rows);
    }

    /** The readiness items of a service or template entry ({@code [{backend: running}]} when absent). */
    static List<Settings> readiness(Settings s) {
        if (!s.has("readiness")) {
            return List.of(Settings.of(s.keyPath("readiness") + "[0]", Map.of("backend", "running")));
        }
        List<Settings> items = s.children("readiness");
        for (Settings item : items) {
            if (item.keys().size() != 1) {
                throw new ConfigException(item.path(), item.keys().isEmpty() ? "{}" : String.join(", ", item.keys()),
                        "a mapping with exactly one key, such as http: http://127.0.0.2:8080/");
            }
        }
        return items;
    }
}
