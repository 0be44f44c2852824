package org.jitsu.server.dns.authority;

import java.util.List;
import java.util.Objects;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.core.ServiceDefinition;

/**
 * A replicated service as DNS answers for it: its replicas (each a service of the core of its own,
 * {@code id.r1} …, with its own VM and addresses), how many run, its names and TTL, and which replica
 * a client gets.
 *
 * @param id the service id
 * @param replicas the replicas' definitions, replica 1 first, {@code policy.max()} of them
 * @param policy how many run
 * @param names the names it answers for
 * @param ttl TTL of its address records, seconds (keep it short: a resolver asks again after it)
 * @param selection which running replica a client gets
 * @param sites for {@link Selection#NEAREST}: the replicas nearest to each client prefix
 */
public record NamedReplicas(String id, List<ServiceDefinition> replicas, ReplicaPolicy policy, List<DomainName> names,
                            long ttl, Selection selection, Sites sites) {
    /** Without a table of sites. */
    public NamedReplicas(String id, List<ServiceDefinition> replicas, ReplicaPolicy policy, List<DomainName> names,
                         long ttl, Selection selection) {
        this(id, replicas, policy, names, ttl, selection, Sites.NONE);
    }

    /** Which running replica a client is given. */
    public enum Selection {
        /** Each answer the next running replica. */
        ROUND_ROBIN,
        /** By the client's source address: a client keeps getting the same replica while it runs. */
        CLIENT,
        /**
         * The first running replica of the client's row in {@link Sites} (longest prefix), falling back
         * to {@link #CLIENT}'s choice among any running replica.
         */
        NEAREST
    }

    public NamedReplicas {
        Objects.requireNonNull(id, "id");
        replicas = List.copyOf(replicas);
        Objects.requireNonNull(policy, "policy");
        names = List.copyOf(names);
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(sites, "sites");
        for (Sites.Site site : sites.rows()) {
            for (int k : site.replicas()) {
                if (k < 1 || k > replicas.size()) {
                    throw new IllegalArgumentException("service " + id + ": site " + site.network().getHostAddress()
                            + "/" + site.prefix() + " names replica " + k + " (expected: 1 to " + replicas.size() + ")");
                }
            }
        }
        if (replicas.size() != policy.max()) {
            throw new IllegalArgumentException("service " + id + ": " + replicas.size() + " replicas, expected "
                    + policy.max());
        }
    }
}
