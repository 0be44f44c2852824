package org.jitsu.backend.spi;

import org.jitsu.backend.Backend;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Creates backends of one type from their config section ({@code backends.NAME}). */
public interface BackendFactory {

    /** The value of {@code type:} this factory handles, e.g. {@code process}. */
    String type();

    /**
     * Validates the settings and creates the backend. Must not block for long: connections are opened
     * lazily or in {@link Backend#ready()}.
     *
     * @throws ConfigException naming the key when a setting is invalid
     */
    Backend create(String name, Settings settings, BackendContext context);
}
