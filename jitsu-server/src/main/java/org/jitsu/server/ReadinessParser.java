package org.jitsu.server;

import org.jitsu.backend.ReadinessCheck;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * Turns one item of a service's {@code readiness:} list into a check; the default is
 * {@code org.jitsu.backend.readiness.ReadinessChecks.standard()::parse}, which dispatches by the item's key
 * to the {@link org.jitsu.backend.spi.ReadinessCheckFactory}s found through {@link java.util.ServiceLoader}.
 */
@FunctionalInterface
public interface ReadinessParser {
    /**
     * @throws org.jitsu.settings.ConfigException naming the item's key when it is invalid
     */
    ReadinessCheck parse(Settings item, Scheduler timer);
}
