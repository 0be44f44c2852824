package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class AddressesTest {
    private static String f(String literal) {
        return Addresses.format(IpLiteral.parse(literal).orElseThrow());
    }

    @Test
    void ipv6IsShortened() {
        assertThat(f("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(f("::")).isEqualTo("::");
        assertThat(f("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(f("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(f("fe80:0:0:0:0:0:0:0")).isEqualTo("fe80::");
        assertThat(f("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
    }

    @Test
    void ipv4AndSocketAddresses() {
        assertThat(f("127.0.0.2")).isEqualTo("127.0.0.2");
        assertThat(Addresses.format(new InetSocketAddress(IpLiteral.parse("::1").orElseThrow(), 53))).isEqualTo("[::1]:53");
        assertThat(Addresses.format(new InetSocketAddress(IpLiteral.parse("127.0.0.1").orElseThrow(), 5353)))
                .isEqualTo("127.0.0.1:5353");
    }
}
