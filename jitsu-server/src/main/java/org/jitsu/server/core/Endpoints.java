package org.jitsu.server.core;

import java.net.InetAddress;
import java.util.List;

/**
 * Where a ready service can be reached: what {@link ManagedService#ensureRunning()} completes with.
 * Today a service's configured addresses; with replicas, the addresses of the replicas that are ready.
 *
 * @param addresses IPv4 and IPv6 addresses, in the service's order
 */
public record Endpoints(List<InetAddress> addresses) {
    public Endpoints {
        addresses = List.copyOf(addresses);
    }
}
