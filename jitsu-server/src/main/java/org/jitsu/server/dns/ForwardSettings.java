package org.jitsu.server.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Forwarding of names outside every zone. Absent from the config means no forwarding: such names get
 * REFUSED. There is no default upstream; the system's resolver is never used.
 *
 * @param upstreams resolvers tried in order
 * @param timeout per upstream attempt
 * @param allowedClients only clients in these networks are forwarded for; others get REFUSED
 */
public record ForwardSettings(List<InetSocketAddress> upstreams, Duration timeout, List<Cidr> allowedClients) {
    public ForwardSettings {
        upstreams = List.copyOf(upstreams);
        allowedClients = List.copyOf(allowedClients);
    }

    /** True when {@code client} may use the forwarder. */
    public boolean allows(java.net.InetAddress client) {
        for (Cidr c : allowedClients) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
