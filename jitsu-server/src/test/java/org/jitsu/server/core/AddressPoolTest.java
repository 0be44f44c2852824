package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class AddressPoolTest {
    private static InetAddress ip(String literal) {
        return IpLiteral.parse(literal).orElseThrow();
    }

    @Test
    void aKeyGetsTheSameAddressAgainOnceItWasReturned() {
        AddressPool pool = AddressPool.ranges(List.of(ip("127.1.0.0")), List.of(16));
        List<InetAddress> a = pool.allocate("a").orElseThrow();
        pool.release(a);
        assertThat(pool.allocate("a")).contains(a);
        assertThat(AddressPool.ranges(List.of(ip("127.1.0.0")), List.of(16)).allocate("a"))
                .as("another pool (a restart) gives the same address").contains(a);
    }

    @Test
    void liveInstancesNeverShareAnAddressAndASmallRangeRunsOut() {
        AddressPool pool = AddressPool.ranges(List.of(ip("192.0.2.0")), List.of(29)); // .1 to .6 usable
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            InetAddress a = pool.allocate("k" + i).orElseThrow().get(0);
            assertThat(seen.add(a)).as("k%d got %s twice", i, a).isTrue();
        }
        assertThat(seen).doesNotContain(ip("192.0.2.0"), ip("192.0.2.7")); // network, broadcast
        assertThat(pool.inUse()).isEqualTo(6);
        assertThat(pool.allocate("k6")).as("exhausted").isEmpty();
        pool.release(List.of(ip("192.0.2.3")));
        assertThat(pool.allocate("k6")).contains(List.of(ip("192.0.2.3")));
    }

    @Test
    void oneAddressOfEachFamilyPerInstance() {
        AddressPool pool = AddressPool.ranges(List.of(ip("127.1.0.0"), ip("fd00:1::")), List.of(16, 64));
        List<InetAddress> a = pool.allocate("a").orElseThrow();
        assertThat(a).hasSize(2);
        assertThat(a.get(0).getAddress()).hasSize(4);
        assertThat(a.get(1).getAddress()).hasSize(16);
        assertThat(a.get(1).getHostAddress()).startsWith("fd00:1:0:0:");
        assertThat(a.get(1)).isNotEqualTo(ip("fd00:1::")).as("not the subnet-router address");
        assertThat(pool.sample()).containsExactly(ip("127.1.0.1"), ip("fd00:1::1"));
        assertThat(pool.inUse()).isEqualTo(2);
    }

    @Test
    void aFixedPoolGivesEveryInstanceTheSameAddresses() {
        AddressPool pool = AddressPool.fixed(List.of(ip("127.0.0.9")));
        assertThat(pool.allocate("a")).contains(List.of(ip("127.0.0.9")));
        assertThat(pool.allocate("b")).contains(List.of(ip("127.0.0.9")));
        assertThat(pool.isFixed()).isTrue();
        assertThat(pool.inUse()).isZero();
    }

    @Test
    void badRangesAreNamed() {
        assertThatThrownBy(() -> AddressPool.ranges(List.of(ip("127.1.0.1")), List.of(16)))
                .hasMessageContaining("127.1.0.1/16 has host bits set");
        assertThatThrownBy(() -> AddressPool.ranges(List.of(ip("127.1.0.0"), ip("10.0.0.0")), List.of(16, 8)))
                .hasMessageContaining("two ranges of the same address family");
        assertThatThrownBy(() -> AddressPool.ranges(List.of(ip("fd00::1")), List.of(128)))
                .hasMessageContaining("no usable address");
    }
}
