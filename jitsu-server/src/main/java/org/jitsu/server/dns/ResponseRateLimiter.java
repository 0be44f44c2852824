package org.jitsu.server.dns;

import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision for one UDP answer under {@link RateLimitSettings}: send it, send it truncated (slip),
 * or drop it. A fixed table of token buckets, indexed by a hash of the client's prefix and the answer's
 * class (positive, NXDOMAIN, error), so memory stays the same under a spoofed-source flood. Lock-free:
 * event loops may race on a slot, which only blurs its count. Allocates nothing.
 */
final class ResponseRateLimiter {
    private static final Logger log = LoggerFactory.getLogger(ResponseRateLimiter.class);
    static final int SEND = 0;
    static final int SLIP = 1;
    static final int DROP = 2;
    /** One answer, in thousandths of a token. */
    private static final long ONE = 1000;
    private static final long LOG_PERIOD_MILLIS = 10_000;

    private final RateLimitSettings settings;
    private final LongSupplier clockMillis;
    private final FrontEndMetrics metrics;
    private final long[] keys;
    private final long[] tokens;
    private final long[] stamps;
    private final int[] limited;
    private final int mask;
    private final long burst;
    private final AtomicLong limitedSinceLog = new AtomicLong();
    private volatile long lastLog = Long.MIN_VALUE;

    ResponseRateLimiter(RateLimitSettings settings, LongSupplier clockMillis, FrontEndMetrics metrics) {
        this.settings = settings;
        this.clockMillis = clockMillis;
        this.metrics = metrics;
        int n = settings.tableSize();
        this.keys = new long[n];
        this.tokens = new long[n];
        this.stamps = new long[n];
        this.limited = new int[n];
        this.mask = n - 1;
        this.burst = settings.responsesPerSecond() * ONE;
    }

    /** What to do with an answer of {@code rcode} (with {@code records} answer records) to {@code client}. */
    int decide(InetAddress client, int rcode, int records) {
        if (!settings.enabled() || allowed(client)) {
            return SEND;
        }
        int kind = rcode == DnsResponseCode.NXDOMAIN.intValue() ? 1 : rcode == 0 ? 0 : 2;
        long key = key(client) * 3 + kind + 1; // never 0: 0 marks an empty slot
        int slot = (int) mix(key) & mask;
        long now = clockMillis.getAsLong();
        long t;
        if (keys[slot] != key) { // empty, or another prefix's: this one starts with a full bucket
            keys[slot] = key;
            t = burst;
            limited[slot] = 0;
        } else {
            long elapsed = Math.max(0, now - stamps[slot]);
            t = Math.min(burst, tokens[slot] + elapsed * settings.responsesPerSecond());
        }
        stamps[slot] = now;
        if (t >= ONE) {
            tokens[slot] = t - ONE;
            return SEND;
        }
        tokens[slot] = t;
        int n = ++limited[slot];
        int action = settings.slip() > 0 && n % settings.slip() == 0 ? SLIP : DROP;
        metrics.rateLimited(settings.dryRun() ? "dry-run" : action == SLIP ? "slipped" : "dropped");
        limitedSinceLog.incrementAndGet();
        if (now - lastLog >= LOG_PERIOD_MILLIS) {
            lastLog = now;
            log.warn("rate limit{}: {} answers limited in the last {} s (latest to {}, {} per second per /{} or /{})",
                    settings.dryRun() ? " (dry run: all sent)" : "", limitedSinceLog.getAndSet(0),
                    LOG_PERIOD_MILLIS / 1000, client.getHostAddress(), settings.responsesPerSecond(),
                    settings.ipv4Prefix(), settings.ipv6Prefix());
        }
        return settings.dryRun() ? SEND : action;
    }

    private boolean allowed(InetAddress client) {
        for (Cidr c : settings.allow()) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }

    /** The client's prefix as a number: IPv4 without allocating. */
    private long key(InetAddress client) {
        if (client instanceof Inet4Address) {
            int p = settings.ipv4Prefix();
            int m = p == 0 ? 0 : -1 << (32 - p);
            return (client.hashCode() & m) & 0xffffffffL;
        }
        byte[] b = client.getAddress();
        long h = 0x6a09e667f3bcc909L;
        for (int i = 0, bits = settings.ipv6Prefix(); i < b.length && bits > 0; i++, bits -= 8) {
            int m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            h = (h ^ (b[i] & m)) * 0x100000001b3L;
        }
        return (h & Long.MAX_VALUE) | (1L << 62); // apart from IPv4 keys
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
