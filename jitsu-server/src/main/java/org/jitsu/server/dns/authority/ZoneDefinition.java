package org.jitsu.server.dns.authority;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A zone Jitsu is authoritative for.
 *
 * @param apex the zone's name
 * @param soa its SOA record (owner = apex)
 * @param nameservers the names of its NS records (owner = apex), in order
 * @param ttl the TTL of its NS and static address records, in seconds
 * @param hosts static addresses inside the zone (e.g. the name servers' own), by name
 */
public record ZoneDefinition(DomainName apex, ResourceRecord.Soa soa, List<DomainName> nameservers, long ttl,
                             Map<DomainName, List<InetAddress>> hosts) {
    public ZoneDefinition {
        Objects.requireNonNull(apex, "apex");
        Objects.requireNonNull(soa, "soa");
        nameservers = List.copyOf(nameservers);
        hosts = Map.copyOf(hosts);
    }
}
