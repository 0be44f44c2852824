package org.jitsu.server.core;

/**
 * A token bucket on the core's clock (milliseconds): {@code capacity} tokens, refilled at
 * {@code perSecond}. Not thread-safe: its owner synchronizes.
 */
final class TokenBucket {
    private final double capacity;
    private final double perMilli;
    private double tokens;
    private long updated;

    TokenBucket(double capacity, double perSecond, long now) {
        this.capacity = capacity;
        this.perMilli = perSecond / 1000.0;
        this.tokens = capacity;
        this.updated = now;
    }

    /** Takes a token if there is one. */
    boolean tryTake(long now) {
        if (now > updated) {
            tokens = Math.min(capacity, tokens + (now - updated) * perMilli);
            updated = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** True when the bucket is full again at {@code now} (it may be dropped and made anew). */
    boolean full(long now) {
        return tokens + Math.max(0, now - updated) * perMilli >= capacity;
    }
}
