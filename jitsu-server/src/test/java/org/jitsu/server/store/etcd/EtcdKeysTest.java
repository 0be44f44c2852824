package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.store.etcd.EtcdKeys.bytes;
import static org.jitsu.server.store.etcd.EtcdKeys.text;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The key layout of docs/cluster.md, and the ids read back from keys. */
@Tag("fast")
class EtcdKeysTest {
    private final EtcdKeys keys = new EtcdKeys("/jitsu/");

    @Test
    void theKeysAreThoseOfTheDocumentedLayout() {
        assertThat(text(keys.service("web"))).isEqualTo("/jitsu/services/web");
        assertThat(text(keys.state("ns1", "web"))).isEqualTo("/jitsu/state/ns1/web");
        assertThat(keys.states("ns1")).isEqualTo("/jitsu/state/ns1/");
        assertThat(text(keys.claim("web"))).isEqualTo("/jitsu/claims/web");
        assertThat(text(keys.lastQuery("web", "ns1"))).isEqualTo("/jitsu/lastquery/web/ns1");
        assertThat(text(keys.vm("web"))).isEqualTo("/jitsu/vms/web");
        assertThat(text(keys.claims())).isEqualTo("/jitsu/claims/");
        assertThat(text(keys.lastQueries())).isEqualTo("/jitsu/lastquery/");
        assertThat(text(keys.services())).isEqualTo("/jitsu/services/");
    }

    @Test
    void idsAreReadBackFromKeys() {
        assertThat(keys.serviceId(keys.service("web"))).isEqualTo("web");
        assertThat(keys.claimId(keys.claim("web"))).isEqualTo("web");
        assertThat(keys.lastQueryKey(keys.lastQuery("web", "ns1")))
                .contains(new EtcdKeys.LastQueryKey("web", "ns1"));
        assertThat(keys.lastQueryKey(bytes("/jitsu/lastquery/web"))).as("no instance").isEmpty();
        assertThat(keys.lastQueryKey(bytes("/jitsu/lastquery//ns1"))).as("no service").isEmpty();
    }
}
