package org.jitsu.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StateStores#open} names no store implementation: the embedded store is its own, every other
 * type comes from the {@link StateStoreProvider} that {@code ServiceLoader} finds. Opening does no I/O,
 * so no etcd is needed here.
 */
@Tag("fast")
class StateStoresTest {
    @TempDir
    Path dir;

    private static StoreSettings.Etcd etcd() {
        return new StoreSettings.Etcd(List.of(new InetSocketAddress(IpLiteral.parse("127.0.0.1").orElseThrow(), 2379)),
                "/jitsu/", "ns1", Duration.ofSeconds(5), false, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), StoreSettings.OnUnavailable.REFUSE);
    }

    @Test
    void theEtcdStoreIsOpenedByTheProviderServiceLoaderFinds() {
        try (StateStore store = StateStores.open(new StoreSettings(StoreSettings.Type.ETCD, dir, Optional.of(etcd())))) {
            assertThat(store.describe()).isEqualTo("etcd [/127.0.0.1:2379] prefix /jitsu/");
            assertThat(store.instanceId()).isEqualTo("ns1");
        }
    }

    @Test
    void etcdWithoutItsSettingsIsAConfigErrorNamingTheKey() {
        assertThatThrownBy(() -> StateStores.open(new StoreSettings(StoreSettings.Type.ETCD, dir, Optional.empty())))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("store.etcd: missing");
    }

    @Test
    void aTypeWithoutAProviderIsAConfigErrorNamingStoreType() {
        assertThatThrownBy(() -> StateStores.open(new StoreSettings(StoreSettings.Type.ETCD, dir, Optional.of(etcd())),
                List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("store.type: etcd (expected: embedded, or a store type whose");
    }

    @Test
    void theEmbeddedStoreNeedsNoProvider() {
        try (StateStore store = StateStores.open(new StoreSettings(StoreSettings.Type.EMBEDDED, dir, Optional.empty()),
                List.of())) {
            assertThat(store.instanceId()).isEqualTo(StateStores.LOCAL_INSTANCE);
            assertThat(store.describe()).startsWith("embedded");
        }
    }
}
