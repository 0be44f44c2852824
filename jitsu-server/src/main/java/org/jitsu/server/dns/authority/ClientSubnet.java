package org.jitsu.server.dns.authority;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The client subnet a resolver sent for its client (EDNS Client Subnet, RFC 7871): the address with
 * every bit beyond {@code sourcePrefix} zero.
 *
 * @param address the subnet's address (IPv4 or IPv6), host bits zero
 * @param sourcePrefix how many leading bits of it the resolver gave, 0–32 or 0–128
 */
public record ClientSubnet(InetAddress address, int sourcePrefix) {
    public ClientSubnet {
        Objects.requireNonNull(address, "address");
        int max = address.getAddress().length * 8;
        if (sourcePrefix < 0 || sourcePrefix > max) {
            throw new IllegalArgumentException("source prefix " + sourcePrefix + " (expected: 0 to " + max + ")");
        }
    }

    /** 1 for IPv4, 2 for IPv6 (the option's FAMILY, IANA address family numbers). */
    public int family() {
        return address.getAddress().length == 4 ? 1 : 2;
    }
}
