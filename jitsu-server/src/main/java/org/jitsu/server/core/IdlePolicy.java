package org.jitsu.server.core;

/**
 * When a running service counts as idle: no traffic, here or on another instance, for its idle
 * timeout, counted from the latest of the last request, the moment it got ready (or was adopted) and
 * the last request another instance saw. Pure arithmetic on the core's timer, so that a later policy
 * (an idle period tied to the TTLs given out, a minimum replica count) replaces this one class.
 */
final class IdlePolicy {
    private final long timeoutMillis;

    IdlePolicy(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** How long the service has been idle at {@code now}. */
    long idleFor(long now, long lastRequest, long readySince, long lastRequestElsewhere) {
        return now - Math.max(Math.max(lastRequest, readySince), lastRequestElsewhere);
    }

    /** True when a service idle for {@code idleMillis} is to be stopped. */
    boolean expired(long idleMillis) {
        return idleMillis >= timeoutMillis;
    }
}
