package org.jitsu.server.store.etcd;

import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.store.StateStore;

/** Opens the etcd {@link StateStore} of {@code store.etcd}. */
public final class EtcdStores {
    private EtcdStores() {
    }

    /**
     * A store on the etcd cluster of {@code settings}: connects lazily (the first call), so that this
     * does no network I/O. TLS and user/password as configured.
     *
     * @throws org.jitsu.settings.ConfigException when the TLS files cannot be read
     */
    public static StateStore open(StoreSettings.Etcd settings) {
        return new EtcdStore(settings);
    }
}
