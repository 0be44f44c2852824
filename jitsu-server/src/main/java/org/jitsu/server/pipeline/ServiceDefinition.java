package org.jitsu.server.pipeline;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;

/**
 * A service: one VM behind one or more names, answered with its addresses once it is ready.
 *
 * @param id unique id in the config (used in logs and metrics)
 * @param names the names it answers for; each lies in one of the zones
 * @param addresses its IPv4 and IPv6 addresses (A and AAAA records), at least one
 * @param ttl TTL of its address records, in seconds
 * @param vm the VM behind it
 * @param readiness checks run in order after the VM is started, before the answer is sent
 * @param bootTimeout bound on start plus readiness; past it the boot fails (SERVFAIL)
 * @param idleTimeout a running service with no query for this long is stopped
 * @param stopMode how it is stopped when idle
 * @param stopGrace for {@link StopMode#SHUTDOWN}, how long before it is destroyed
 */
public record ServiceDefinition(String id, List<DomainName> names, List<InetAddress> addresses, long ttl, Vm vm,
                                List<ReadinessCheck> readiness, Duration bootTimeout, Duration idleTimeout,
                                StopMode stopMode, Duration stopGrace) {
    public ServiceDefinition {
        Objects.requireNonNull(id, "id");
        names = List.copyOf(names);
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(vm, "vm");
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(stopMode, "stopMode");
        Objects.requireNonNull(stopGrace, "stopGrace");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("service " + id + " has no names");
        }
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("service " + id + " has no addresses");
        }
    }
}
