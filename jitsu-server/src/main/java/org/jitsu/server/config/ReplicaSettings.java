package org.jitsu.server.config;

import java.util.Objects;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.Sites;

/**
 * A {@code replicas:} section, of a service or a template: how many run, and which running replica a
 * client gets.
 */
public record ReplicaSettings(ReplicaPolicy policy, NamedReplicas.Selection selection, Sites sites) {
    public ReplicaSettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(sites, "sites");
    }
}
