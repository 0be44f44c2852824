package org.jitsu.server.dns.authority;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Which replicas are nearest to which clients: a table of client prefixes, each with the replicas
 * (1-based numbers) to prefer, matched longest prefix first. An IPv4 client is matched without
 * allocating.
 */
public final class Sites {
    /** No table: every client is as near to every replica. */
    public static final Sites NONE = new Sites(List.of());

    /** One row: clients in {@code network/prefix} prefer {@code replicas} (1-based), in that order. */
    public record Site(InetAddress network, int prefix, List<Integer> replicas) {
        public Site {
            Objects.requireNonNull(network, "network");
            int max = network.getAddress().length * 8;
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("prefix " + prefix + " (expected: 0 to " + max + ")");
            }
            replicas = List.copyOf(replicas);
            if (replicas.isEmpty()) {
                throw new IllegalArgumentException("site " + network.getHostAddress() + "/" + prefix + " names no replica");
            }
        }

        boolean contains(InetAddress a) {
            if (network instanceof Inet4Address) {
                if (!(a instanceof Inet4Address)) {
                    return false;
                }
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                return (a.hashCode() & mask) == (network.hashCode() & mask); // Inet4Address.hashCode is the address
            }
            byte[] x = a.getAddress();
            byte[] n = network.getAddress();
            if (x.length != n.length) {
                return false;
            }
            for (int i = 0, bits = prefix; i < n.length && bits > 0; i++, bits -= 8) {
                int m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((x[i] & m) != (n[i] & m)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Site> rows;
    private final int[][] preferred;
    private final int longest4;
    private final int longest6;

    /** The table, longest prefixes first; replicas are 1-based. */
    public Sites(List<Site> sites) {
        List<Site> sorted = new ArrayList<>(sites);
        sorted.sort(Comparator.comparingInt(Site::prefix).reversed());
        this.rows = List.copyOf(sorted);
        this.preferred = new int[rows.size()][];
        int max4 = 0;
        int max6 = 0;
        for (int i = 0; i < rows.size(); i++) {
            Site row = rows.get(i);
            preferred[i] = row.replicas().stream().mapToInt(k -> k - 1).toArray();
            if (row.network() instanceof Inet4Address) {
                max4 = Math.max(max4, row.prefix());
            } else {
                max6 = Math.max(max6, row.prefix());
            }
        }
        this.longest4 = max4;
        this.longest6 = max6;
    }

    /** The preferred replicas (0-based) of the longest row holding {@code client}, or null. */
    int[] preferred(InetAddress client) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).contains(client)) {
                return preferred[i];
            }
        }
        return null;
    }

    /**
     * The prefix length an answer chosen by this table depends on at most, for clients of one address
     * family: two clients that agree on this many bits fall in the same rows. The scope given to a
     * resolver that sent a client subnet of that family.
     */
    int longestPrefix(boolean ipv4) {
        return ipv4 ? longest4 : longest6;
    }

    public List<Site> rows() {
        return rows;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sites s && s.rows.equals(rows);
    }

    @Override
    public int hashCode() {
        return rows.hashCode();
    }
}
