package org.jitsu.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.admin.AdminSettings;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.CookieSettings;
import org.jitsu.server.dns.ForwardSettings;
import org.jitsu.server.dns.ListenSettings;
import org.jitsu.server.dns.RateLimitSettings;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.server.proxy.ProxySettings;

/**
 * The whole server configuration, read from one YAML file, validated once and immutable. Every problem
 * is a {@link org.jitsu.settings.ConfigException} naming the key path, the value and what was
 * expected. Settings that need live objects (backends, VMs, readiness checks) are kept as validated
 * data; {@link org.jitsu.server.JitsuServer} turns them into objects.
 *
 * @param source where the config came from (a file name), for messages
 * @param listen where the DNS front end listens
 * @param forward forwarding of out-of-zone names; empty means none (REFUSED)
 * @param defaultTtl {@code dns.ttl}: default TTL of service records, seconds
 * @param zones the zones served, in config order
 * @param bootLimits {@code boot.max-concurrent}, {@code boot.max-queued}, {@code boot.max-waiters}
 * @param defaultBootTimeout {@code boot.timeout}: default boot timeout of services
 * @param idleCheckInterval {@code idle.check-interval}: period of the idle check
 * @param stateDir {@code state-dir}: where backends keep logs and pid files (relative to the working directory)
 * @param backends the backends, in config order
 * @param services the services, in config order
 * @param admin the admin HTTP endpoint ({@code admin:})
 * @param metricsEnabled {@code metrics.enabled}: false reports nothing (and {@code /metrics} answers 404)
 * @param store {@code store:}: where state that outlives the process is kept
 * @param templates {@code templates:}
 * @param rateLimit {@code rate-limit:}
 * @param cookies {@code cookies:}
 * @param proxy {@code proxy:}: limits of the front that holds connections for services with a {@code hold}
 */
public record JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                          List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                          Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                          List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled,
                          StoreSettings store, List<TemplateConfig> templates, RateLimitSettings rateLimit,
                          CookieSettings cookies, ProxySettings proxy) {
    /** Without {@code proxy:}. */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled, StoreSettings store,
                       List<TemplateConfig> templates, RateLimitSettings rateLimit, CookieSettings cookies) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, admin, metricsEnabled, store, templates, rateLimit, cookies, ProxySettings.DEFAULT);
    }

    /** Without {@code cookies:}. */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled, StoreSettings store,
                       List<TemplateConfig> templates, RateLimitSettings rateLimit) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, admin, metricsEnabled, store, templates, rateLimit, CookieSettings.OFF);
    }

    /** Without {@code rate-limit:}. */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled, StoreSettings store,
                       List<TemplateConfig> templates) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, admin, metricsEnabled, store, templates, RateLimitSettings.OFF);
    }

    /** Without {@code templates:}. */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled, StoreSettings store) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, admin, metricsEnabled, store, List.of());
    }

    /** Without {@code store:}: the embedded store in {@code <state-dir>/store}. */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services, AdminSettings admin, boolean metricsEnabled) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, admin, metricsEnabled, new StoreSettings(StoreSettings.Type.EMBEDDED,
                        stateDir.resolve("store"), Optional.empty()));
    }

    /** Without {@code admin:} and {@code metrics:}: the defaults (admin on 127.0.0.1:8053, metrics on). */
    public JitsuConfig(String source, ListenSettings listen, Optional<ForwardSettings> forward, long defaultTtl,
                       List<ZoneDefinition> zones, BootLimits bootLimits, Duration defaultBootTimeout,
                       Duration idleCheckInterval, Path stateDir, List<BackendConfig> backends,
                       List<ServiceConfig> services) {
        this(source, listen, forward, defaultTtl, zones, bootLimits, defaultBootTimeout, idleCheckInterval, stateDir,
                backends, services, ConfigParser.defaultAdmin(), true);
    }

    public JitsuConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(forward, "forward");
        zones = List.copyOf(zones);
        Objects.requireNonNull(bootLimits, "bootLimits");
        Objects.requireNonNull(defaultBootTimeout, "defaultBootTimeout");
        Objects.requireNonNull(idleCheckInterval, "idleCheckInterval");
        Objects.requireNonNull(stateDir, "stateDir");
        backends = List.copyOf(backends);
        services = List.copyOf(services);
        templates = List.copyOf(templates);
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(cookies, "cookies");
        Objects.requireNonNull(proxy, "proxy");
    }

    /**
     * Reads and validates a config file.
     *
     * @throws IOException when the file cannot be read
     * @throws org.jitsu.settings.ConfigException when the content is invalid
     */
    public static JitsuConfig load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return parse(text, file.toString());
    }

    /**
     * Parses and validates a config given as text. SOA serials default to the current time.
     *
     * @param yaml the YAML document
     * @param sourceName where it came from, for messages
     * @throws org.jitsu.settings.ConfigException when it is invalid
     */
    public static JitsuConfig parse(String yaml, String sourceName) {
        return parse(yaml, sourceName, Clock.systemUTC());
    }

    /**
     * As {@link #parse(String, String, Clock)}, with the environment that may hold
     * {@code JITSU_ADMIN_TOKEN}.
     */
    public static JitsuConfig parse(String yaml, String sourceName, Clock clock, Map<String, String> environment) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        return ConfigParser.parse(YamlDocuments.parse(yaml), sourceName, clock.instant(), environment);
    }

    /** As {@link #parse(String, String)}, with the clock that supplies default SOA serials. */
    public static JitsuConfig parse(String yaml, String sourceName, Clock clock) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        return ConfigParser.parse(YamlDocuments.parse(yaml), sourceName, clock.instant(), System.getenv());
    }

    /**
     * Reads a config file and adds services registered at run time (each a YAML or JSON mapping with the
     * keys of a {@code services[]} entry) after the file's own.
     *
     * @throws IOException when the file cannot be read
     * @throws org.jitsu.settings.ConfigException when the result is invalid (a registered service's
     *     keys are reported as {@code services[N]}, N counting the file's services first)
     */
    public static JitsuConfig load(Path file, List<String> registeredServices) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return ConfigParser.parse(YamlDocuments.parse(text, List.copyOf(registeredServices)), file.toString(),
                Clock.systemUTC().instant(), System.getenv());
    }

    /** As {@link #load(Path, List)} for a config given as text. */
    public static JitsuConfig parse(String yaml, String sourceName, List<String> registeredServices) {
        return ConfigParser.parse(YamlDocuments.parse(yaml, List.copyOf(registeredServices)), sourceName,
                Clock.systemUTC().instant(), System.getenv());
    }

    /**
     * A run-time service spec made canonical: {@code body} (a YAML or JSON mapping with the keys of a
     * {@code services[]} entry) with {@code id} set, as YAML text.
     *
     * @throws org.jitsu.settings.ConfigException when the body is not such a mapping or names another id
     */
    public static String serviceSpec(String id, String body) {
        return YamlDocuments.serviceSpec(id, body);
    }

    /** The services with a {@code hold:}, by id, in config order. */
    public Map<String, HoldSettings> holds() {
        Map<String, HoldSettings> out = new LinkedHashMap<>();
        services.forEach(s -> s.hold().ifPresent(h -> out.put(s.id(), h)));
        return out;
    }

    /** The backend with this name. */
    public Optional<BackendConfig> backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** The service with this id. */
    public Optional<ServiceConfig> service(String id) {
        return services.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The services by id, in config order: one index to look many up, instead of a scan per service. */
    public Map<String, ServiceConfig> servicesById() {
        Map<String, ServiceConfig> out = new LinkedHashMap<>(services.size() * 4 / 3 + 1);
        services.forEach(s -> out.put(s.id(), s));
        return out;
    }
}
