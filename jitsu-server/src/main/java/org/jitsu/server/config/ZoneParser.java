package org.jitsu.server.config;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Reads {@code zones:}: apex, NS names, SOA values and static hosts of each zone. */
final class ZoneParser {
    private static final long MAX_SERIAL = 0xffff_ffffL;

    private ZoneParser() {
    }

    static List<ZoneDefinition> zones(Settings root, Instant now) {
        List<Settings> items = root.children("zones");
        if (items.isEmpty()) {
            throw new ConfigException("zones", root.has("zones") ? "[]" : null,
                    "at least one zone, such as - {name: example.test, nameservers: [ns1.example.test]}");
        }
        List<ZoneDefinition> zones = new ArrayList<>();
        Map<DomainName, String> seen = new HashMap<>();
        for (Settings z : items) {
            ZoneDefinition zone = zone(z, now);
            String first = seen.putIfAbsent(zone.apex(), z.path());
            if (first != null) {
                throw new ConfigException(z.keyPath("name"), zone.apex().text(), "a zone not already defined by " + first);
            }
            zones.add(zone);
        }
        return List.copyOf(zones);
    }

    private static ZoneDefinition zone(Settings z, Instant now) {
        z.allowOnly("name", "ttl", "soa", "nameservers", "hosts");
        DomainName apex = ConfigParser.name(z, "name");
        long ttl = z.integer("ttl", 3600, 0, ConfigParser.MAX_TTL);
        List<DomainName> nameservers = ConfigParser.names(z, "nameservers", true);
        Settings soa = z.child("soa").allowOnly("mname", "rname", "serial", "refresh", "retry", "expire", "minimum");
        DomainName mname = soa.has("mname") ? ConfigParser.name(soa, "mname") : nameservers.get(0);
        DomainName rname = soa.has("rname") ? mailbox(soa) : hostmaster(apex);
        long serial = soa.integer("serial", now.getEpochSecond() & MAX_SERIAL, 0, MAX_SERIAL);
        long refresh = soa.integer("refresh", 3600, 0, ConfigParser.MAX_TTL);
        long retry = soa.integer("retry", 600, 0, ConfigParser.MAX_TTL);
        long expire = soa.integer("expire", 1_209_600, 0, ConfigParser.MAX_TTL);
        long minimum = soa.integer("minimum", 60, 0, ConfigParser.MAX_TTL);
        ResourceRecord.Soa record = new ResourceRecord.Soa(apex, ttl, mname, rname, serial, refresh, retry, expire,
                minimum);
        return new ZoneDefinition(apex, record, nameservers, ttl, hosts(z, apex));
    }

    private static Map<DomainName, List<InetAddress>> hosts(Settings z, DomainName apex) {
        Settings hosts = z.child("hosts");
        Map<DomainName, List<InetAddress>> out = new LinkedHashMap<>();
        for (String key : hosts.keys()) {
            String keyPath = hosts.keyPath(key);
            DomainName name = ConfigParser.name(keyPath, key);
            if (!name.isSubdomainOf(apex)) {
                throw new ConfigException(keyPath, key, "a name inside the zone " + apex.text());
            }
            if (out.containsKey(name)) {
                throw new ConfigException(keyPath, key, "each host once (names are compared without letter case)");
            }
            List<InetAddress> addresses = hosts.addresses(key);
            if (addresses.isEmpty()) {
                throw new ConfigException(keyPath, hosts.has(key) ? "[]" : null, "at least one IP address literal");
            }
            ConfigParser.unique(keyPath, addresses);
            out.put(name, addresses);
        }
        return out;
    }

    /** {@code rname}: a domain name, or a mail address whose local part has no dot. */
    private static DomainName mailbox(Settings soa) {
        String text = soa.string("rname");
        String key = soa.keyPath("rname");
        int at = text.indexOf('@');
        if (at < 0) {
            return ConfigParser.name(key, text);
        }
        String local = text.substring(0, at);
        if (local.isEmpty() || local.indexOf('.') >= 0 || text.indexOf('@', at + 1) >= 0) {
            throw new ConfigException(key, text, "a mailbox as a domain name such as hostmaster.example.test");
        }
        return ConfigParser.name(key, local + "." + text.substring(at + 1));
    }

    private static DomainName hostmaster(DomainName apex) {
        return DomainName.of(apex.isRoot() ? "hostmaster" : "hostmaster." + apex.text());
    }
}
