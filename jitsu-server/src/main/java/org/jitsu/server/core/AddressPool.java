package org.jitsu.server.core;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a template's instances get their addresses: either the same fixed addresses for all (when a
 * proxy fronts them), or one address per range (an IPv4 and/or an IPv6 prefix) per instance, held for
 * as long as the instance exists and returned when it is forgotten. An instance's address is derived
 * from its key (a hash into the range, then the next free one), so that the same name gets the same
 * address after a restart or after it was forgotten, as long as no other instance holds it: a VM left
 * running by the last run is found where its readiness check looks. An exhausted range hands out
 * nothing, never a live address twice. Thread-safe.
 */
public final class AddressPool {
    private final List<InetAddress> fixed;
    private final List<Range> ranges;

    private AddressPool(List<InetAddress> fixed, List<Range> ranges) {
        this.fixed = List.copyOf(fixed);
        this.ranges = List.copyOf(ranges);
    }

    /** Every instance gets these addresses. */
    public static AddressPool fixed(List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a fixed address pool needs at least one address");
        }
        return new AddressPool(addresses, List.of());
    }

    /**
     * One address of each range per instance. A range is a network address and a prefix length
     * ({@code 127.1.0.0}, 16); IPv4 ranges skip their network and broadcast addresses, IPv6 ranges
     * their subnet-router address (offset 0).
     *
     * @throws IllegalArgumentException when a range has host bits set, no usable address, or two
     *     ranges have the same family
     */
    public static AddressPool ranges(List<InetAddress> networks, List<Integer> prefixLengths) {
        if (networks.isEmpty() || networks.size() != prefixLengths.size()) {
            throw new IllegalArgumentException("expected one prefix length per network, and at least one network");
        }
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < networks.size(); i++) {
            Range r = new Range(networks.get(i), prefixLengths.get(i));
            for (Range other : ranges) {
                if (other.bytes == r.bytes) {
                    throw new IllegalArgumentException("two ranges of the same address family: " + other + " and " + r);
                }
            }
            ranges.add(r);
        }
        return new AddressPool(List.of(), ranges);
    }

    /** True when every instance gets the same addresses. */
    public boolean isFixed() {
        return ranges.isEmpty();
    }

    /**
     * Addresses for a new instance with this key, one per range (or the fixed ones); empty when a range
     * is exhausted.
     */
    public synchronized Optional<List<InetAddress>> allocate(String key) {
        if (isFixed()) {
            return Optional.of(fixed);
        }
        long hash = fnv1a(key);
        List<InetAddress> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            Optional<InetAddress> a = r.take(hash);
            if (a.isEmpty()) {
                release(out);
                return Optional.empty();
            }
            out.add(a.get());
        }
        return Optional.of(List.copyOf(out));
    }

    /** Addresses as an instance would get them, allocating nothing: for checking a template's config. */
    public List<InetAddress> sample() {
        if (isFixed()) {
            return fixed;
        }
        List<InetAddress> out = new ArrayList<>(ranges.size());
        for (Range r : ranges) {
            out.add(r.first());
        }
        return List.copyOf(out);
    }

    /** Returns an instance's addresses (nothing happens for fixed ones). */
    public synchronized void release(List<InetAddress> addresses) {
        if (isFixed()) {
            return;
        }
        for (InetAddress a : addresses) {
            for (Range r : ranges) {
                if (r.contains(a)) {
                    r.giveBack(a);
                }
            }
        }
    }

    /** Addresses handed out now (0 for a fixed pool). */
    public synchronized long inUse() {
        long n = 0;
        for (Range r : ranges) {
            n += r.inUse();
        }
        return n;
    }

    @Override
    public String toString() {
        return isFixed() ? "fixed " + fixed : "ranges " + ranges;
    }

    /** FNV-1a, 64 bits, of the key's UTF-8 bytes: the same in every run. */
    private static long fnv1a(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** One prefix: the offsets in use; a key's offset is its hash into the usable ones, then the next free. */
    private static final class Range {
        private final BigInteger network;
        private final int prefix;
        private final int bytes;
        private final BigInteger first;
        private final BigInteger last;
        private final BigInteger usable;
        private final Set<BigInteger> inUse = new HashSet<>();

        Range(InetAddress network, int prefix) {
            Objects.requireNonNull(network, "network");
            this.bytes = network.getAddress().length;
            int bits = bytes * 8;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException(network.getHostAddress() + "/" + prefix + ": prefix length 0 to " + bits);
            }
            this.prefix = prefix;
            this.network = new BigInteger(1, network.getAddress());
            BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
            if (!this.network.mod(size).equals(BigInteger.ZERO)) {
                throw new IllegalArgumentException(network.getHostAddress() + "/" + prefix + " has host bits set");
            }
            // IPv4: not the network nor the broadcast address (unless /31, /32); IPv6: not the subnet-router
            boolean v4 = bytes == 4;
            this.first = bits - prefix >= 2 || !v4 ? BigInteger.ONE.min(size.subtract(BigInteger.ONE)) : BigInteger.ZERO;
            this.last = v4 && bits - prefix >= 2 ? size.subtract(BigInteger.TWO) : size.subtract(BigInteger.ONE);
            if (first.compareTo(last) > 0 || (!v4 && prefix == bits)) {
                throw new IllegalArgumentException(this + " has no usable address");
            }
            this.usable = last.subtract(first).add(BigInteger.ONE);
        }

        Optional<InetAddress> take(long hash) {
            if (usable.compareTo(BigInteger.valueOf(inUse.size())) <= 0) {
                return Optional.empty();
            }
            BigInteger at = new BigInteger(Long.toUnsignedString(hash)).mod(usable);
            while (inUse.contains(at)) { // ends: a free offset exists
                at = at.add(BigInteger.ONE);
                if (at.equals(usable)) {
                    at = BigInteger.ZERO;
                }
            }
            inUse.add(at);
            return Optional.of(address(network.add(first).add(at)));
        }

        InetAddress first() {
            return address(network.add(first));
        }

        boolean contains(InetAddress a) {
            if (a.getAddress().length != bytes) {
                return false;
            }
            BigInteger v = new BigInteger(1, a.getAddress());
            return v.shiftRight(bytes * 8 - prefix).equals(network.shiftRight(bytes * 8 - prefix));
        }

        void giveBack(InetAddress a) {
            inUse.remove(new BigInteger(1, a.getAddress()).subtract(network).subtract(first));
        }

        long inUse() {
            return inUse.size();
        }

        private InetAddress address(BigInteger value) {
            byte[] raw = value.toByteArray();
            byte[] out = new byte[bytes];
            int copy = Math.min(raw.length, bytes);
            System.arraycopy(raw, raw.length - copy, out, bytes - copy, copy);
            try {
                return InetAddress.getByAddress(out);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // only for a wrong length
            }
        }

        @Override
        public String toString() {
            return address(network).getHostAddress() + "/" + prefix;
        }
    }
}
