package org.jitsu.server.core;

/**
 * Bounds on boots across all services.
 *
 * @param maxConcurrent boots running at once
 * @param maxQueued boots waiting for a slot; past it a cold request is refused at once (SERVFAIL in DNS)
 * @param maxWaitersPerBoot queries that may wait on one boot; past it they are refused at once
 */
public record BootLimits(int maxConcurrent, int maxQueued, int maxWaitersPerBoot) {
    public BootLimits {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
        }
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 0)");
        }
        if (maxWaitersPerBoot < 1) {
            throw new IllegalArgumentException("maxWaitersPerBoot: " + maxWaitersPerBoot + " (expected: >= 1)");
        }
    }

    public static final BootLimits DEFAULT = new BootLimits(8, 1024, 10_000);
}
