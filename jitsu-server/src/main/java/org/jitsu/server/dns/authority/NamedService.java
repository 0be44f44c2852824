package org.jitsu.server.dns.authority;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.jitsu.server.core.ServiceDefinition;

/**
 * A service as the DNS authority publishes it: the core's {@link ServiceDefinition} (its VM, its
 * addresses, its timeouts) and the names it answers for, with the TTL of its address records.
 *
 * @param service what the core runs
 * @param names the names it answers for, each in one of the zones, at least one
 * @param ttl TTL of its A and AAAA records, in seconds
 * @param front with {@code answer: at-once}: the addresses answered at once while the service does not run
 *     (a proxy there holds its connections during the boot); empty: answer once it is ready
 */
public record NamedService(ServiceDefinition service, List<DomainName> names, long ttl, List<InetAddress> front) {
    /** A service answered once it is ready. */
    public NamedService(ServiceDefinition service, List<DomainName> names, long ttl) {
        this(service, names, ttl, List.of());
    }

    /** @throws IllegalArgumentException naming the service when it has no names or a negative TTL */
    public NamedService {
        Objects.requireNonNull(service, "service");
        names = List.copyOf(names);
        front = List.copyOf(front);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("service " + service.id() + " has no names");
        }
        if (ttl < 0) {
            throw new IllegalArgumentException("service " + service.id() + ": ttl: " + ttl + " (expected: >= 0)");
        }
    }

    /** True when a query for it is answered at once with {@link #front} while it does not run. */
    public boolean answersAtOnce() {
        return !front.isEmpty();
    }

    /** The service id. */
    public String id() {
        return service.id();
    }
}
