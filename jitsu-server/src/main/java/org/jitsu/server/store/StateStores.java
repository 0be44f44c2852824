package org.jitsu.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
     * The store of {@code store:}. Does no I/O.
     *
     * @throws ConfigException when the store type is not available
     */
    public static StateStore open(StoreSettings settings) {
        if (settings.type() == StoreSettings.Type.EMBEDDED) {
            return StateStore.embedded(settings.directory(), LOCAL_INSTANCE);
        }
        return org.jitsu.server.store.etcd.EtcdStores.open(settings.etcd().orElseThrow(() -> new ConfigException(
                "store.etcd", null, "the etcd settings (endpoints: [...]) with store.type: etcd")));
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
