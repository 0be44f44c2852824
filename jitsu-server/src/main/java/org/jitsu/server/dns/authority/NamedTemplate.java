package org.jitsu.server.dns.authority;

import java.util.Objects;
import org.jitsu.server.core.ServiceTemplate;

/**
 * A core template with what DNS adds: the name pattern of its instances, the TTL of their address
 * records, and how a name its budget refuses is answered.
 *
 * @param template the core's template
 * @param pattern the names of its instances
 * @param ttl TTL of an instance's address records, seconds
 * @param refuseWithRefused true: a refused name gets REFUSED; false: SERVFAIL (the default)
 * @param selection with replicas: which running replica of an instance a client gets
 * @param sites with replicas and {@link NamedReplicas.Selection#NEAREST}: the replicas nearest each client
 */
public record NamedTemplate(ServiceTemplate template, NamePattern pattern, long ttl, boolean refuseWithRefused,
                            NamedReplicas.Selection selection, Sites sites) {
    /** Without replicas. */
    public NamedTemplate(ServiceTemplate template, NamePattern pattern, long ttl, boolean refuseWithRefused) {
        this(template, pattern, ttl, refuseWithRefused, NamedReplicas.Selection.ROUND_ROBIN, Sites.NONE);
    }

    public NamedTemplate {
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(sites, "sites");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(pattern, "pattern");
        if (!template.captures().equals(pattern.captureNames())) {
            throw new IllegalArgumentException("template " + template.id() + " captures " + template.captures()
                    + " but its pattern " + pattern + " captures " + pattern.captureNames());
        }
    }

    public String id() {
        return template.id();
    }
}
