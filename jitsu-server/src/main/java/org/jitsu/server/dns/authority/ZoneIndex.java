package org.jitsu.server.dns.authority;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ReplicaSet;
import org.jitsu.server.core.TemplateInstances;
import reactor.core.publisher.Mono;

/**
 * The authoritative data of all zones, precomputed into immutable hash maps: one {@link NameNode} per
 * name that exists (apexes, static hosts, service names and the empty non-terminals above them), and
 * one prebuilt NXDOMAIN answer per zone. A lookup of an existing name is one hash lookup; only names
 * that do not exist walk up their ancestors to find the closest enclosing zone, or a template whose
 * pattern ends there.
 *
 * <p>Template instances are names not known when the index is built: each one's node is made on its
 * first address query the template admits, kept in a concurrent map (the warm path of a running
 * instance is that map's lookup after the fixed one's), and dropped when the core forgets the instance.
 */
final class ZoneIndex {
    private static final Mono<Answer> NOT_AUTHORITATIVE = Mono.just(Answer.NOT_AUTHORITATIVE);

    private final Map<DomainName, NameNode> nodes;
    private final Map<DomainName, Mono<Answer>> nxDomainByApex;
    private final Map<DomainName, List<TemplateView>> templatesBySuffix;
    private final Map<DomainName, ReplicaNode> replicaNodes;
    private final InstanceNodes instances = new InstanceNodes();

    private ZoneIndex(Map<DomainName, NameNode> nodes, Map<DomainName, Mono<Answer>> nxDomainByApex,
                      Map<DomainName, List<TemplateView>> templatesBySuffix, Map<DomainName, ReplicaNode> replicaNodes) {
        this.nodes = Map.copyOf(nodes);
        this.replicaNodes = Map.copyOf(replicaNodes);
        this.nxDomainByApex = Map.copyOf(nxDomainByApex);
        this.templatesBySuffix = Map.copyOf(templatesBySuffix);
    }

    Mono<Answer> resolve(Query query) {
        NameNode node = nodes.get(query.name());
        if (node != null) {
            return node.resolve(query.type());
        }
        if (!replicaNodes.isEmpty()) {
            ReplicaNode replicated = replicaNodes.get(query.name());
            if (replicated != null) {
                return replicated.resolve(query);
            }
        }
        if (!templatesBySuffix.isEmpty()) {
            Mono<Answer> warm = instances.warm(query);
            if (warm != null) {
                return warm;
            }
        }
        DomainName name = query.name();
        while (!name.isRoot()) {
            name = name.parent();
            List<TemplateView> templates = templatesBySuffix.get(name);
            if (templates != null) {
                for (TemplateView t : templates) {
                    Optional<List<String>> values = t.named.pattern().match(query.name());
                    if (values.isPresent()) {
                        return instances.resolve(t, query, values.get());
                    }
                }
            }
            Mono<Answer> nx = nxDomainByApex.get(name);
            if (nx != null) {
                return nx;
            }
        }
        return NOT_AUTHORITATIVE;
    }

    /** The core forgot an instance of {@code template}: its node goes (unless a newer instance has the name). */
    void forgotten(String templateId, ManagedService instance) {
        for (List<TemplateView> views : templatesBySuffix.values()) {
            for (TemplateView t : views) {
                if (t.named.id().equals(templateId)) {
                    instances.forgotten(t, instance);
                }
            }
        }
    }

    /** Instance nodes held now (for tests and the memory bound). */
    int instanceNodes() {
        return instances.size();
    }

    /**
     * Builds the index.
     *
     * @throws IllegalArgumentException naming the offending name when a zone is defined twice, a
     *     zone's SOA is not at its apex, a host lies outside its zone or in two zones, a service name
     *     is in no zone, belongs to two services, or is also a static host
     */
    static ZoneIndex build(List<ZoneDefinition> zones, List<NamedService> services,
                           Function<String, ManagedService> runtimes) {
        return build(zones, services, runtimes, List.of(), id -> {
            throw new IllegalArgumentException("no template " + id);
        }, List.of(), id -> {
            throw new IllegalArgumentException("no replicated service " + id);
        });
    }

    /**
     * Builds the index with templates too.
     *
     * @throws IllegalArgumentException as above, and when a template's pattern is in none of the zones
     */
    static ZoneIndex build(List<ZoneDefinition> zones, List<NamedService> services,
                           Function<String, ManagedService> runtimes, List<NamedTemplate> templates,
                           Function<String, TemplateInstances> templateRuntimes, List<NamedReplicas> replicated,
                           Function<String, ReplicaSet> replicaSets) {
        Map<DomainName, ZoneDefinition> byApex = new LinkedHashMap<>();
        for (ZoneDefinition zone : zones) {
            if (byApex.putIfAbsent(zone.apex(), zone) != null) {
                throw new IllegalArgumentException("zone " + zone.apex() + " is defined twice");
            }
            if (!zone.soa().owner().equals(zone.apex())) {
                throw new IllegalArgumentException("zone " + zone.apex() + ": SOA owner " + zone.soa().owner()
                        + " (expected: the apex)");
            }
        }

        Map<DomainName, Pending> pending = new LinkedHashMap<>();
        Map<DomainName, List<ResourceRecord>> hostRecords = new HashMap<>();
        for (ZoneDefinition zone : zones) {
            Pending apex = pending.computeIfAbsent(zone.apex(), n -> new Pending(zone));
            apex.soa.add(zone.soa());
            for (DomainName ns : zone.nameservers()) {
                apex.ns.add(new ResourceRecord.Ns(zone.apex(), zone.ttl(), ns));
            }
        }
        for (ZoneDefinition zone : zones) {
            for (Map.Entry<DomainName, List<InetAddress>> host : zone.hosts().entrySet()) {
                DomainName name = host.getKey();
                if (!name.isSubdomainOf(zone.apex())) {
                    throw new IllegalArgumentException("zone " + zone.apex() + ": host " + name
                            + " is outside the zone");
                }
                if (hostRecords.containsKey(name)) {
                    throw new IllegalArgumentException("host " + name + " is defined in two zones");
                }
                List<ResourceRecord> records = addressRecords(name, zone.ttl(), host.getValue());
                hostRecords.put(name, records);
                Pending p = pending.computeIfAbsent(name, n -> new Pending(closestZone(byApex, n).orElseThrow()));
                p.addresses.addAll(records);
            }
        }
        for (NamedService service : services) {
            ManagedService runtime = runtimes.apply(service.id());
            for (DomainName name : service.names()) {
                ZoneDefinition zone = closestZone(byApex, name).orElseThrow(() -> new IllegalArgumentException(
                        "service " + service.id() + ": name " + name + " is in none of the zones"));
                Pending p = pending.computeIfAbsent(name, n -> new Pending(zone));
                if (p.service.isPresent()) {
                    throw new IllegalArgumentException("name " + name + " belongs to two services: "
                            + p.service.get().id() + " and " + service.id());
                }
                if (!p.addresses.isEmpty()) {
                    throw new IllegalArgumentException("name " + name + " of service " + service.id()
                            + " is also a static host of zone " + zone.apex());
                }
                p.service = Optional.of(runtime);
                p.serviceRecords.addAll(addressRecords(name, service.ttl(), service.service().addresses()));
                p.frontRecords.addAll(addressRecords(name, service.ttl(), service.front()));
            }
        }

        Map<DomainName, List<TemplateView>> bySuffix = new HashMap<>();
        for (NamedTemplate t : templates) {
            DomainName suffix = t.pattern().suffix();
            ZoneDefinition zone = closestZone(byApex, suffix).orElseThrow(() -> new IllegalArgumentException(
                    "template " + t.id() + ": pattern " + t.pattern() + " is in none of the zones"));
            if (!suffix.equals(zone.apex())) {
                pending.computeIfAbsent(suffix, n -> new Pending(zone)); // an empty non-terminal: NoData, not NXDOMAIN
            }
            Answer.NoData noData = new Answer.NoData(zone.soa().forNegativeAnswer());
            bySuffix.computeIfAbsent(suffix, n -> new ArrayList<>())
                    .add(new TemplateView(t, templateRuntimes.apply(t.id()), zone, noData));
        }

        Map<DomainName, ReplicaNode> replicaNodes = new HashMap<>();
        for (NamedReplicas r : replicated) {
            for (DomainName name : r.names()) {
                ZoneDefinition zone = closestZone(byApex, name).orElseThrow(() -> new IllegalArgumentException(
                        "service " + r.id() + ": name " + name + " is in none of the zones"));
                if (pending.containsKey(name) || replicaNodes.containsKey(name)) {
                    throw new IllegalArgumentException("name " + name + " of service " + r.id()
                            + " is also another service's, a static host or a zone apex");
                }
                replicaNodes.put(name, new ReplicaNode(name, r, replicaSets.apply(r.id()),
                        new Answer.NoData(zone.soa().forNegativeAnswer())));
                for (DomainName n = name; !n.equals(zone.apex()); ) { // its ancestors exist (NoData)
                    n = n.parent();
                    pending.computeIfAbsent(n, k -> new Pending(zone));
                }
            }
        }

        // empty non-terminals: ancestors of existing names, below their zone's apex
        for (Map.Entry<DomainName, Pending> e : List.copyOf(pending.entrySet())) {
            DomainName apex = e.getValue().zone.apex();
            for (DomainName n = e.getKey(); !n.equals(apex); ) {
                n = n.parent();
                pending.computeIfAbsent(n, k -> new Pending(e.getValue().zone));
            }
        }

        Map<DomainName, Answer> noDataByApex = new HashMap<>();
        for (ZoneDefinition zone : zones) {
            noDataByApex.put(zone.apex(), new Answer.NoData(zone.soa().forNegativeAnswer()));
        }
        Map<DomainName, NameNode> nodes = new HashMap<>(pending.size() * 4 / 3 + 1);
        Map<Answer, Mono<Answer>> shared = new IdentityHashMap<>(); // one ready Mono per shared answer
        for (Map.Entry<DomainName, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            nodes.put(e.getKey(), p.toNode(hostRecords, noDataByApex.get(p.zone.apex()), shared));
        }
        Map<DomainName, Mono<Answer>> nx = new HashMap<>();
        for (ZoneDefinition zone : zones) {
            nx.put(zone.apex(), Mono.just(new Answer.NxDomain(zone.soa().forNegativeAnswer())));
        }
        return new ZoneIndex(nodes, nx, bySuffix, replicaNodes);
    }

    private static Optional<ZoneDefinition> closestZone(Map<DomainName, ZoneDefinition> byApex, DomainName name) {
        for (DomainName n = name; ; n = n.parent()) {
            ZoneDefinition zone = byApex.get(n);
            if (zone != null) {
                return Optional.of(zone);
            }
            if (n.isRoot()) {
                return Optional.empty();
            }
        }
    }

    static List<ResourceRecord> addressRecords(DomainName owner, long ttl, List<InetAddress> addresses) {
        List<ResourceRecord> records = new ArrayList<>();
        for (InetAddress address : addresses) {
            if (address instanceof Inet4Address) {
                records.add(new ResourceRecord.A(owner, ttl, (Inet4Address) address));
            }
        }
        for (InetAddress address : addresses) {
            if (address instanceof Inet6Address) {
                records.add(new ResourceRecord.Aaaa(owner, ttl, (Inet6Address) address));
            }
        }
        return records;
    }

    /** What is known about one name while the index is being built. */
    static final class Pending {
        final ZoneDefinition zone;
        final List<ResourceRecord> soa = new ArrayList<>();
        final List<ResourceRecord> ns = new ArrayList<>();
        final List<ResourceRecord> addresses = new ArrayList<>();
        final List<ResourceRecord> serviceRecords = new ArrayList<>();
        // with answer: at-once, the records answered while the service does not run (empty otherwise)
        final List<ResourceRecord> frontRecords = new ArrayList<>(0);
        Optional<ManagedService> service = Optional.empty();

        Pending(ZoneDefinition zone) {
            this.zone = zone;
        }

        NameNode toNode(Map<DomainName, List<ResourceRecord>> hostRecords, Answer noData,
                        Map<Answer, Mono<Answer>> shared) {
            NameNode node = toNode(serviceRecords, hostRecords, noData, shared);
            return frontRecords.isEmpty() ? node
                    : node.answeringAtOnce(toNode(frontRecords, hostRecords, noData, shared));
        }

        private NameNode toNode(List<ResourceRecord> serviceRecords, Map<DomainName, List<ResourceRecord>> hostRecords,
                                Answer noData, Map<Answer, Mono<Answer>> shared) {
            if (soa.isEmpty() && ns.isEmpty() && addresses.isEmpty()) {
                return serviceOnlyNode(serviceRecords, noData, shared); // the common case: no per-slot lists
            }
            List<ResourceRecord> glue = new ArrayList<>();
            if (!ns.isEmpty()) {
                for (ResourceRecord r : ns) {
                    glue.addAll(hostRecords.getOrDefault(((ResourceRecord.Ns) r).nameserver(), List.of()));
                }
            }
            Answer[] fixed = new Answer[NameNode.SLOTS];
            Answer.Found[] running = new Answer.Found[NameNode.SLOTS];
            for (int slot = 0; slot < NameNode.SLOTS; slot++) {
                List<ResourceRecord> own = new ArrayList<>();
                List<ResourceRecord> fromService = new ArrayList<>();
                for (ResourceRecord r : all(soa, ns, addresses)) {
                    if (matches(slot, r)) {
                        own.add(r);
                    }
                }
                for (ResourceRecord r : serviceRecords) {
                    if (matches(slot, r)) {
                        fromService.add(r);
                    }
                }
                boolean withGlue = slot == NameNode.SLOT_NS || slot == NameNode.SLOT_ANY;
                List<ResourceRecord> additional = withGlue ? glue : List.of();
                if (!fromService.isEmpty()) {
                    own.addAll(fromService);
                    running[slot] = new Answer.Found(own, List.of(), additional);
                } else if (!own.isEmpty()) {
                    fixed[slot] = new Answer.Found(own, List.of(), additional);
                } else {
                    fixed[slot] = noData;
                }
            }
            return new NameNode(service, fixed, running, shared);
        }

        /** A name with a service's records only (or none: an empty non-terminal): the same answers as below. */
        private NameNode serviceOnlyNode(List<ResourceRecord> serviceRecords, Answer noData,
                                         Map<Answer, Mono<Answer>> shared) {
            Answer[] fixed = new Answer[NameNode.SLOTS];
            Answer.Found[] running = new Answer.Found[NameNode.SLOTS];
            List<ResourceRecord> a = new ArrayList<>(1);
            List<ResourceRecord> aaaa = new ArrayList<>(0);
            for (ResourceRecord r : serviceRecords) {
                (NameNode.slot(r.type()) == NameNode.SLOT_A ? a : aaaa).add(r);
            }
            if (!a.isEmpty()) {
                running[NameNode.SLOT_A] = new Answer.Found(a, List.of(), List.of());
            }
            if (!aaaa.isEmpty()) {
                running[NameNode.SLOT_AAAA] = new Answer.Found(aaaa, List.of(), List.of());
            }
            if (!serviceRecords.isEmpty()) {
                running[NameNode.SLOT_ANY] = aaaa.isEmpty() ? running[NameNode.SLOT_A] : a.isEmpty()
                        ? running[NameNode.SLOT_AAAA] : new Answer.Found(serviceRecords, List.of(), List.of());
            }
            for (int slot = 0; slot < NameNode.SLOTS; slot++) {
                if (running[slot] == null) {
                    fixed[slot] = noData;
                }
            }
            return new NameNode(service, fixed, running, shared);
        }

        private static List<ResourceRecord> all(List<ResourceRecord> a, List<ResourceRecord> b,
                                                List<ResourceRecord> c) {
            List<ResourceRecord> out = new ArrayList<>(a);
            out.addAll(b);
            out.addAll(c);
            return out;
        }

        private static boolean matches(int slot, ResourceRecord r) {
            return slot == NameNode.SLOT_ANY || (slot != NameNode.SLOT_OTHER && NameNode.slot(r.type()) == slot);
        }
    }
}
