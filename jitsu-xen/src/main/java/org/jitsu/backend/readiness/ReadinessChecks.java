package org.jitsu.backend.readiness;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * Builds {@link ReadinessCheck}s from config: a registry of {@link ReadinessCheckFactory}s by item key.
 * {@link #standard()} holds the factories found through {@link ServiceLoader}: those of this package
 * ({@code backend}, {@code tcp}, {@code http}, {@code delay}) and any other on the class path.
 *
 * <pre>{@code
 * ReadinessChecks checks = ReadinessChecks.standard();
 * ReadinessCheck check = checks.parse(item, timer);   // item: {tcp: 127.0.0.2:80}
 * }</pre>
 */
public final class ReadinessChecks {
    /** By key, in registration order (the order of the known keys in error messages). */
    private final Map<String, ReadinessCheckFactory> factories;
    private final String knownKeys;
    private final String expectedItem;

    private ReadinessChecks(Map<String, ReadinessCheckFactory> factories) {
        this.factories = Collections.unmodifiableMap(factories);
        this.knownKeys = factories.isEmpty()
                ? "(no readiness check is registered)"
                : String.join(", ", factories.keySet());
        this.expectedItem = "a mapping with exactly one of: " + factories.values().stream()
                .map(ReadinessCheckFactory::syntax).collect(Collectors.joining(", "));
    }

    /**
     * The factories registered for {@link ServiceLoader} (thread context class loader).
     *
     * @throws IllegalArgumentException when two of them handle the same key
     */
    public static ReadinessChecks standard() {
        return of(ServiceLoader.load(ReadinessCheckFactory.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /**
     * These factories, in this order.
     *
     * @throws IllegalArgumentException when two of them handle the same key, or a key is empty
     */
    public static ReadinessChecks of(Collection<? extends ReadinessCheckFactory> factories) {
        Map<String, ReadinessCheckFactory> byKey = new LinkedHashMap<>();
        for (ReadinessCheckFactory f : factories) {
            String key = f.key();
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("readiness check factory " + f.getClass().getName()
                        + ": key " + (key == null ? "missing" : "\"\"") + " (expected: a non-empty key)");
            }
            ReadinessCheckFactory other = byKey.putIfAbsent(key, f);
            if (other != null) {
                throw new IllegalArgumentException("readiness check key " + key + ": handled by both "
                        + other.getClass().getName() + " and " + f.getClass().getName()
                        + " (expected: one factory per key)");
            }
        }
        return new ReadinessChecks(byKey);
    }

    /** The item keys handled, in registration order. */
    public Set<String> keys() {
        return factories.keySet();
    }

    /**
     * Parses one item of a service's {@code readiness:} list, a mapping with exactly one key, by the
     * factory for that key: {@code backend: running}, {@code tcp: ADDRESS:PORT}, {@code http: URL},
     * {@code delay: DURATION} and whatever else is registered.
     *
     * @param item the item, with its path ({@code services[0].readiness[1]})
     * @param timer scheduler for retry intervals and delays
     * @throws ConfigException naming the item ({@code services[0].readiness[1]}) when it has no key or
     *     several, the key ({@code services[0].readiness[1].grpc}) with the known keys when no factory
     *     handles it, or whatever key the factory finds invalid
     */
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        Set<String> keys = item.keys();
        if (keys.size() != 1) {
            throw new ConfigException(item.path(), keys.isEmpty() ? "{}" : String.join(", ", keys), expectedItem);
        }
        String key = keys.iterator().next();
        ReadinessCheckFactory factory = factories.get(key);
        if (factory == null) {
            throw new ConfigException(item.keyPath(key), "unknown key", "one of " + knownKeys);
        }
        return factory.parse(item, timer);
    }

    @Override
    public String toString() {
        return "readiness checks " + factories.keySet();
    }
}
