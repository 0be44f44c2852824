package org.jitsu.server.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;

/**
 * A service as the core runs it: one VM, the addresses it serves on once ready, how readiness is
 * checked and how it is stopped. Nothing here says how clients find it (DNS names and TTLs belong to
 * the DNS side, {@code org.jitsu.server.dns.authority.NamedService}).
 *
 * @param id unique id (used in logs, metrics, the journal and the cluster's keys)
 * @param addresses its IPv4 and IPv6 addresses, at least one: the endpoints {@link ManagedService#ensureRunning()} gives
 * @param vm the VM behind it
 * @param readiness checks run in order after the VM is started, before it counts as ready
 * @param bootTimeout bound on start plus readiness; past it the boot fails
 * @param idleTimeout a running service with no traffic for this long is stopped
 * @param stopMode how it is stopped when idle
 * @param stopGrace for {@link StopMode#SHUTDOWN}, how long before it is destroyed
 */
public record ServiceDefinition(String id, List<InetAddress> addresses, Vm vm, List<ReadinessCheck> readiness,
                                Duration bootTimeout, Duration idleTimeout, StopMode stopMode, Duration stopGrace) {
    /**
     * @throws IllegalArgumentException naming the service and the value when there is no address or a
     *     timeout is not positive, or the grace is negative
     */
    public ServiceDefinition {
        Objects.requireNonNull(id, "id");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(vm, "vm");
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(stopMode, "stopMode");
        Objects.requireNonNull(stopGrace, "stopGrace");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("service " + id + " has no addresses");
        }
        requirePositive(id, "bootTimeout", bootTimeout);
        requirePositive(id, "idleTimeout", idleTimeout);
        if (stopGrace.isNegative()) {
            throw new IllegalArgumentException("service " + id + ": stopGrace: " + stopGrace + " (expected: >= 0)");
        }
    }

    private static void requirePositive(String id, String what, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("service " + id + ": " + what + ": " + d + " (expected: > 0)");
        }
    }
}
