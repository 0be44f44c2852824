package org.jitsu.server.core;

/**
 * What a template may cost, checked before any VM or address is allocated for a new instance, so that
 * random names under a pattern can never boot a fleet.
 *
 * @param maxInstances instances known at once (running or not); at the cap, a stopped instance unused
 *     the longest (of a sample) is forgotten early to make room, and if none can be, the name is refused
 * @param maxRunning instances booting, running or stopping at once; a boot beyond it is refused
 * @param newPerSecond new instances per second, on average (a token bucket)
 * @param burst new instances at once (the bucket's size)
 * @param perClientPerMinute new instances per minute per client prefix (IPv4 /{@code v4Prefix}, IPv6
 *     /{@code v6Prefix}); 0 for no per-client budget
 * @param v4Prefix the length of an IPv4 client prefix
 * @param v6Prefix the length of an IPv6 client prefix
 */
public record InstanceBudget(int maxInstances, int maxRunning, double newPerSecond, int burst,
                             int perClientPerMinute, int v4Prefix, int v6Prefix) {
    /** 10,000 known, 100 running, 10 new per second (bursts of 20), 60 per client /24 or /56 per minute. */
    public static final InstanceBudget DEFAULT = new InstanceBudget(10_000, 100, 10, 20, 60, 24, 56);

    /** @throws IllegalArgumentException naming the value that is out of range */
    public InstanceBudget {
        if (maxInstances < 1) {
            throw new IllegalArgumentException("maxInstances: " + maxInstances + " (expected: >= 1)");
        }
        if (maxRunning < 1 || maxRunning > maxInstances) {
            throw new IllegalArgumentException("maxRunning: " + maxRunning + " (expected: 1 to maxInstances)");
        }
        if (!(newPerSecond > 0) || Double.isInfinite(newPerSecond)) {
            throw new IllegalArgumentException("newPerSecond: " + newPerSecond + " (expected: > 0)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        if (perClientPerMinute < 0) {
            throw new IllegalArgumentException("perClientPerMinute: " + perClientPerMinute + " (expected: >= 0)");
        }
        if (v4Prefix < 0 || v4Prefix > 32 || v6Prefix < 0 || v6Prefix > 128) {
            throw new IllegalArgumentException("client prefixes: /" + v4Prefix + ", /" + v6Prefix
                    + " (expected: 0-32 and 0-128)");
        }
    }
}
