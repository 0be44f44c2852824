package org.jitsu.server.dns;

import java.net.InetAddress;
import java.util.Optional;
import org.jitsu.settings.IpLiteral;

/** A network prefix such as {@code 127.0.0.0/8} or {@code ::1/128}. */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        int max = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " (expected: 0 to " + max + ")");
        }
    }

    /** Parses {@code ADDRESS/LENGTH}, or a bare address as a host prefix. */
    public static Optional<Cidr> parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        Optional<InetAddress> a = IpLiteral.parse(addr);
        if (a.isEmpty()) {
            return Optional.empty();
        }
        int max = a.get().getAddress().length * 8;
        int len = max;
        if (slash >= 0) {
            try {
                len = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (len < 0 || len > max) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(a.get(), len));
    }

    /** True when {@code address} lies in this network (IPv4-mapped IPv6 addresses match IPv4 prefixes). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length == 16 && n.length == 4 && isV4Mapped(a)) {
            byte[] v4 = new byte[4];
            System.arraycopy(a, 12, v4, 0, 4);
            a = v4;
        }
        if (a.length != n.length) {
            return false;
        }
        int bits = prefixLength;
        for (int i = 0; i < n.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
