package org.jitsu.server.dns;

import java.util.List;
import java.util.Objects;

/**
 * Response-rate limiting of UDP answers ({@code rate-limit:}), as NSD's {@code rrl-*} and Knot's
 * {@code mod-rrl} do it: per client prefix and class of answer, a token bucket of
 * {@code responsesPerSecond} (bursts of as many); beyond it an answer is dropped, but every
 * {@code slip}-th limited one is sent truncated (TC, no records), so that a real client retries over
 * TCP, which is never limited. {@code slip} 0 drops them all.
 *
 * @param enabled false: no limit (the default)
 * @param responsesPerSecond answers per second per prefix and class
 * @param slip every how many limited answers one is sent truncated (0: none)
 * @param ipv4Prefix IPv4 client prefix length
 * @param ipv6Prefix IPv6 client prefix length
 * @param tableSize buckets in the fixed table (a power of two): a prefix whose slot another takes starts
 *     a full bucket again, so a collision can let answers through but never limits a client for another
 * @param allow clients never limited
 * @param dryRun count what would be limited, limit nothing
 */
public record RateLimitSettings(boolean enabled, int responsesPerSecond, int slip, int ipv4Prefix, int ipv6Prefix,
                                int tableSize, List<Cidr> allow, boolean dryRun) {
    /** Off. */
    public static final RateLimitSettings OFF = new RateLimitSettings(false, 20, 2, 24, 56, 65_536, List.of(), false);

    public RateLimitSettings {
        allow = List.copyOf(Objects.requireNonNull(allow, "allow"));
        if (responsesPerSecond < 1) {
            throw new IllegalArgumentException("responsesPerSecond: " + responsesPerSecond + " (expected: >= 1)");
        }
        if (slip < 0) {
            throw new IllegalArgumentException("slip: " + slip + " (expected: >= 0)");
        }
        if (ipv4Prefix < 0 || ipv4Prefix > 32 || ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("prefixes: /" + ipv4Prefix + ", /" + ipv6Prefix);
        }
        if (tableSize < 1 || Integer.bitCount(tableSize) != 1) {
            throw new IllegalArgumentException("tableSize: " + tableSize + " (expected: a power of two)");
        }
    }
}
