package org.jitsu.server.config;

import java.util.Objects;
import org.jitsu.settings.Settings;

/**
 * One entry of {@code backends:}: a named backend and the settings its factory receives.
 *
 * @param name the key under {@code backends:}
 * @param type the value of its {@code type:} key, which selects the {@link org.jitsu.backend.spi.BackendFactory}
 * @param settings every other key of the entry (path {@code backends.NAME}), for the factory to validate
 */
public record BackendConfig(String name, String type, Settings settings) {
    public BackendConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(settings, "settings");
    }
}
