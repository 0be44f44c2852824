package org.jitsu.backend.spi;

import org.jitsu.backend.ReadinessCheck;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * Creates readiness checks of one kind from an item of a service's {@code readiness:} list. An item is a
 * mapping with exactly one key, and that key chooses the factory: {@code {tcp: 127.0.0.2:80}} goes to
 * the factory whose {@link #key()} is {@code tcp}. Factories are found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.jitsu.backend.spi.ReadinessCheckFactory})
 * by {@code org.jitsu.backend.readiness.ReadinessChecks}, so a new kind of check is one more factory.
 */
public interface ReadinessCheckFactory {

    /** The item key this factory handles, e.g. {@code tcp}; one factory per key. */
    String key();

    /**
     * How an item of this kind is written, for error messages: {@code tcp: ADDRESS:PORT}.
     * The default is {@code KEY: VALUE}.
     */
    default String syntax() {
        return key() + ": VALUE";
    }

    /**
     * Validates the item and creates the check. Must not block: a check does its work when awaited.
     *
     * @param item the item, a mapping whose only key is {@link #key()}, with its path
     *     ({@code services[0].readiness[1]})
     * @param timer the scheduler for retry intervals, delays and attempt timeouts (virtual in tests)
     * @throws ConfigException naming the key path ({@code services[0].readiness[1].tcp}) when invalid
     */
    ReadinessCheck parse(Settings item, Scheduler timer);
}
