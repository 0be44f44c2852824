package org.jitsu.server.dns.authority;

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
 */
public record NamedService(ServiceDefinition service, List<DomainName> names, long ttl) {
    /** @throws IllegalArgumentException naming the service when it has no names or a negative TTL */
    public NamedService {
        Objects.requireNonNull(service, "service");
        names = List.copyOf(names);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("service " + service.id() + " has no names");
        }
        if (ttl < 0) {
            throw new IllegalArgumentException("service " + service.id() + ": ttl: " + ttl + " (expected: >= 0)");
        }
    }

    /** The service id. */
    public String id() {
        return service.id();
    }
}
