package org.jitsu.server.store;

import org.jitsu.server.config.StoreSettings;

/**
 * Opens the {@link StateStore} of one {@code store.type} other than the embedded store. Found by
 * {@link java.util.ServiceLoader} (a line in {@code META-INF/services/org.jitsu.server.store.StateStoreProvider}),
 * so that this package names no implementation: {@code org.jitsu.server.store.etcd} provides
 * {@code etcd} and depends on this package, never the other way round.
 */
public interface StateStoreProvider {

    /** The {@code store.type} this provider opens. */
    StoreSettings.Type type();

    /**
     * The store of {@code settings} (whose type is {@link #type()}). Does no I/O.
     *
     * @throws org.jitsu.settings.ConfigException when the settings of that type are missing or unusable
     */
    StateStore open(StoreSettings settings);
}
