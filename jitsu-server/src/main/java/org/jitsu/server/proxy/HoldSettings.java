package org.jitsu.server.proxy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the front holds one service's connections ({@code services[].hold}).
 *
 * @param front the addresses the front listens on (and the DNS answers while the service does not run)
 * @param ports the ports accepted on each front address
 * @param maxHeld connections of this service waiting for its boot at most; beyond, new ones are reset
 * @param bufferBytes bytes a held connection buffers before the boot ends; beyond, the front stops reading
 *     from it (the client's TCP window closes: nothing is lost)
 * @param drain before the service is stopped, how long its open connections get to finish; then they are reset
 * @param activeWithin an open connection counts as traffic (keeps the service from its idle stop) while it
 *     carried data in either direction within this period
 * @param retryAfter the {@code Retry-After} of the 503 an HTTP port answers when the boot failed
 * @param releaseWindow once the service is ready, how many held connections connect to it at a time
 *     ({@link ReleaseWindow})
 * @param releaseSettle how long after its connect a released connection keeps its place in the window
 *     when the service sends nothing
 */
public record HoldSettings(List<InetAddress> front, List<HeldPort> ports, int maxHeld, int bufferBytes,
                           Duration drain, Duration activeWithin, Duration retryAfter, int releaseWindow,
                           Duration releaseSettle) {
    /** Defaults of the optional keys. */
    public static final int DEFAULT_MAX_HELD = 256;
    public static final int DEFAULT_BUFFER = 64 * 1024;
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ACTIVE_WITHIN = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** Below the smallest listen backlog met in a guest (busybox httpd's 9). */
    public static final int DEFAULT_RELEASE_WINDOW = 8;
    public static final Duration DEFAULT_RELEASE_SETTLE = Duration.ofMillis(100);

    /** @throws IllegalArgumentException naming the value when a list is empty or a bound is not positive */
    public HoldSettings {
        front = List.copyOf(front);
        ports = List.copyOf(ports);
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(activeWithin, "activeWithin");
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(releaseSettle, "releaseSettle");
        if (front.isEmpty() || ports.isEmpty()) {
            throw new IllegalArgumentException("a hold needs a front address and a port");
        }
        if (maxHeld < 1 || bufferBytes < 1 || releaseWindow < 1) {
            throw new IllegalArgumentException("maxHeld " + maxHeld + ", bufferBytes " + bufferBytes
                    + ", releaseWindow " + releaseWindow + " (expected: > 0)");
        }
    }
}
