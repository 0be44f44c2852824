package org.jitsu.server.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.Sites;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.settings.Settings;

/**
 * One entry of {@code services:}, validated, before any backend exists. The backend section and the
 * readiness items stay {@link Settings}: the server turns them into a VM and readiness checks once the
 * backends are created.
 *
 * @param id the unique service id
 * @param path the entry's path in the config ({@code services[2]}), for errors found later
 * @param names the names it answers for, each inside a configured zone, unique across services
 * @param addresses its IPv4 and IPv6 addresses
 * @param ttl TTL of its address records, seconds
 * @param backend the name of its backend (a key of {@code backends:})
 * @param spec the section named after the backend's type ({@code services[2].process}); empty when absent
 * @param readiness the readiness items, in order, each a one-key mapping with its path
 * @param bootTimeout bound on start plus readiness
 * @param idleTimeout stop after this long without a query
 * @param stopMode how to stop it when idle
 * @param stopGrace for {@link StopMode#SHUTDOWN}, time before it is destroyed
 * @param replicas with {@code replicas:}: how many replicas run (then {@code addresses} holds one address
 *     per replica of each family, and the spec's {@code ${replica}}, {@code ${address}} … are filled per replica)
 * @param selection which running replica a client gets
 * @param sites for {@code answer: nearest}: the replicas nearest each client prefix
 * @param atOnce {@code answer: at-once}: a query for it while it does not run is answered at once with the
 *     front addresses of its {@code hold}
 * @param hold {@code hold:}: where Jitsu accepts and holds the service's TCP connections while it boots
 */
public record ServiceConfig(String id, String path, List<DomainName> names, List<InetAddress> addresses, long ttl,
                            String backend, Settings spec, List<Settings> readiness, Duration bootTimeout,
                            Duration idleTimeout, StopMode stopMode, Duration stopGrace,
                            Optional<ReplicaPolicy> replicas, NamedReplicas.Selection selection, Sites sites,
                            boolean atOnce, Optional<HoldSettings> hold) {
    /** A service without replicas. */
    public ServiceConfig(String id, String path, List<DomainName> names, List<InetAddress> addresses, long ttl,
                         String backend, Settings spec, List<Settings> readiness, Duration bootTimeout,
                         Duration idleTimeout, StopMode stopMode, Duration stopGrace) {
        this(id, path, names, addresses, ttl, backend, spec, readiness, bootTimeout, idleTimeout, stopMode, stopGrace,
                Optional.empty(), NamedReplicas.Selection.ROUND_ROBIN, Sites.NONE, false, Optional.empty());
    }

    public ServiceConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        names = List.copyOf(names);
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(spec, "spec");
        readiness = List.copyOf(readiness);
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(stopMode, "stopMode");
        Objects.requireNonNull(stopGrace, "stopGrace");
        Objects.requireNonNull(replicas, "replicas");
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(sites, "sites");
        Objects.requireNonNull(hold, "hold");
        if (atOnce && hold.isEmpty()) {
            throw new IllegalArgumentException("service " + id + ": answer at-once needs a hold");
        }
    }
}
