package org.jitsu.server.store.etcd;

import org.jitsu.settings.ConfigException;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.store.StateStoreProvider;

/** {@code store.type: etcd}, for {@link org.jitsu.server.store.StateStores#open} (found by ServiceLoader). */
public final class EtcdStoreProvider implements StateStoreProvider {

    /** For {@link java.util.ServiceLoader}. */
    public EtcdStoreProvider() {
    }

    @Override
    public StoreSettings.Type type() {
        return StoreSettings.Type.ETCD;
    }

    @Override
    public StateStore open(StoreSettings settings) {
        return EtcdStores.open(settings.etcd().orElseThrow(() -> new ConfigException(
                "store.etcd", null, "the etcd settings (endpoints: [...]) with store.type: etcd")));
    }
}
