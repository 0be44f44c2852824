package org.jitsu.server.proxy;

/**
 * One TCP port the front accepts for a service.
 *
 * @param port where the front listens, on each front address
 * @param target the service's port the connections are spliced to
 * @param http true for an HTTP port: a failed boot answers held connections with a 503 and
 *     {@code Retry-After} instead of a TCP reset
 */
public record HeldPort(int port, int target, boolean http) {
    /** @throws IllegalArgumentException naming the port when one is outside 1..65535 */
    public HeldPort {
        if (port < 1 || port > 65535 || target < 1 || target > 65535) {
            throw new IllegalArgumentException("port " + port + " -> " + target + " (expected: 1..65535)");
        }
    }
}
