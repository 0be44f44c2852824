package org.jitsu.server.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-client budget of a template: a token bucket per client prefix (IPv4 /v4Prefix, IPv6
 * /v6Prefix) of {@code perClientPerMinute} new instances per minute. The buckets of the most recently
 * seen {@code maxPrefixes} prefixes are kept; a dropped one starts full again. Not thread-safe: its
 * template synchronizes.
 */
final class ClientBudgets {
    private final InstanceBudget budget;
    private final Map<Prefix, TokenBucket> buckets;

    ClientBudgets(InstanceBudget budget, int maxPrefixes) {
        this.budget = budget;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Prefix, TokenBucket> eldest) {
                return size() > maxPrefixes;
            }
        };
    }

    /** Takes a token of the client's prefix; always true when there is no per-client budget. */
    boolean tryTake(InetAddress client, long now) {
        int perMinute = budget.perClientPerMinute();
        if (perMinute == 0) {
            return true;
        }
        Prefix p = Prefix.of(client, client.getAddress().length == 4 ? budget.v4Prefix() : budget.v6Prefix());
        TokenBucket bucket = buckets.get(p);
        if (bucket == null) {
            bucket = new TokenBucket(perMinute, perMinute / 60.0, now);
            buckets.put(p, bucket);
        }
        return bucket.tryTake(now);
    }

    /** Drops the buckets that are full again: they would start full anyway. */
    void dropFull(long now) {
        buckets.values().removeIf(b -> b.full(now));
    }

    /** The client's prefix as text ({@code 198.51.100.0/24}), for the log. */
    static String describe(InetAddress client, InstanceBudget budget) {
        byte[] b = client.getAddress();
        int length = b.length == 4 ? budget.v4Prefix() : budget.v6Prefix();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, length - i * 8));
            b[i] = (byte) (b[i] & (0xff << (8 - keep)));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length
        }
    }

    /** Prefixes with a bucket now. */
    int size() {
        return buckets.size();
    }

    /** A client's prefix: its address with the bits beyond the prefix length cleared. */
    private record Prefix(long high, long low, int length) {
        static Prefix of(InetAddress a, int length) {
            byte[] b = a.getAddress();
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < b.length; i++) {
                int bitsBefore = i * 8;
                int keep = Math.max(0, Math.min(8, length - bitsBefore));
                int v = b[i] & (0xff << (8 - keep)) & 0xff;
                if (i < 8) {
                    hi = (hi << 8) | v;
                } else {
                    lo = (lo << 8) | v;
                }
            }
            return new Prefix(hi, lo, b.length == 4 ? length : length + 1000);
        }
    }
}
