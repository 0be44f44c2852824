package org.jitsu.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.settings.ConfigException;
import reactor.core.publisher.Mono;

/** Opens the {@link StateStore} a config asks for and reads what the server starts from. */
public final class StateStores {
    /** The owner name the embedded store writes (there is one instance). */
    public static final String LOCAL_INSTANCE = "local";

    private StateStores() {
    }

    /**
     * The store of {@code store:}: the embedded store, or the one the {@link StateStoreProvider} of its
     * type opens (found by {@link ServiceLoader}). Does no I/O.
     *
     * @throws ConfigException when the store type is not available or its settings are missing
     */
    public static StateStore open(StoreSettings settings) {
        return open(settings, ServiceLoader.load(StateStoreProvider.class, StateStores.class.getClassLoader()));
    }

    /** The store of {@code store:}, opened by the first of {@code providers} for its type. Does no I/O. */
    public static StateStore open(StoreSettings settings, Iterable<StateStoreProvider> providers) {
        if (settings.type() == StoreSettings.Type.EMBEDDED) {
            return StateStore.embedded(settings.directory(), LOCAL_INSTANCE);
        }
        for (StateStoreProvider p : providers) {
            if (p.type() == settings.type()) {
                return p.open(settings);
            }
        }
        throw new ConfigException("store.type", settings.type().name().toLowerCase(Locale.ROOT),
                "embedded, or a store type whose StateStoreProvider is on the class path");
    }

    /** What a server starts from: registered services and the records of the last run. */
    public record Loaded(Map<String, String> services, Map<String, ServiceRecord> records) {
        public Loaded {
            services = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(services));
            records = Map.copyOf(records);
        }
    }

    /** Reads the registered services and the records. */
    public static Mono<Loaded> load(StateStore store) {
        return Mono.zip(store.services(), store.records()).map(t -> new Loaded(t.getT1(), t.getT2()));
    }

    /**
     * The config with the registered services added after the file's own (the file is read again);
     * {@code config} itself when there are none.
     */
    public static JitsuConfig withRegistered(JitsuConfig config, Map<String, String> services) {
        if (services.isEmpty()) {
            return config;
        }
        try {
            return JitsuConfig.load(Path.of(config.source()), List.copyOf(services.values()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config.source() + " again to add the services"
                    + " registered at run time: " + e.getMessage(), e);
        }
    }
}
