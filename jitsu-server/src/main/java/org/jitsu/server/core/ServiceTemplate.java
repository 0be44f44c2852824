package org.jitsu.server.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.backend.StopMode;

/**
 * A service whose instances are made on demand, one per distinct tuple of captured values (for DNS: the
 * labels a name pattern captures), each with its own VM and addresses, stopped when idle and forgotten
 * when unused. Nothing here says how clients name an instance: the DNS side matches names.
 *
 * @param id unique among services and templates; instance ids are {@code id.value1.value2}
 * @param captures the names of the captured values, in the order they make the instance id
 * @param addresses where instances get their addresses
 * @param factory makes each instance's VM and readiness checks
 * @param bootTimeout bound on an instance's start plus readiness
 * @param idleTimeout an instance with no traffic for this long is stopped
 * @param stopMode how instances are stopped when idle
 * @param stopGrace for {@link StopMode#SHUTDOWN}, how long before it is destroyed
 * @param forgetAfter a stopped instance unused for this long is forgotten (state, meters, addresses)
 * @param budget what the template may cost
 * @param source what the template was built from (its config section), compared on a reload: a template
 *     with the same id and an equal source keeps its instances
 * @param replicas with replicas, each instance runs up to {@code max} of them ({@code ID.KEY.rK}, each its
 *     own VM and addresses), scaled at every idle tick
 */
public record ServiceTemplate(String id, List<String> captures, AddressPool addresses, InstanceFactory factory,
                              Duration bootTimeout, Duration idleTimeout, StopMode stopMode, Duration stopGrace,
                              Duration forgetAfter, InstanceBudget budget, Object source,
                              Optional<ReplicaPolicy> replicas) {
    /** Without replicas. */
    public ServiceTemplate(String id, List<String> captures, AddressPool addresses, InstanceFactory factory,
                           Duration bootTimeout, Duration idleTimeout, StopMode stopMode, Duration stopGrace,
                           Duration forgetAfter, InstanceBudget budget, Object source) {
        this(id, captures, addresses, factory, bootTimeout, idleTimeout, stopMode, stopGrace, forgetAfter, budget,
                source, Optional.empty());
    }

    /** @throws IllegalArgumentException naming the template and the value that is out of range */
    public ServiceTemplate {
        Objects.requireNonNull(id, "id");
        captures = List.copyOf(captures);
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(stopMode, "stopMode");
        Objects.requireNonNull(stopGrace, "stopGrace");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(replicas, "replicas");
        if (captures.isEmpty()) {
            throw new IllegalArgumentException("template " + id + " captures nothing");
        }
        for (Duration d : List.of(bootTimeout, idleTimeout, forgetAfter)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("template " + id + ": " + d + " (expected: a duration > 0)");
            }
        }
    }

    /**
     * Where an id of this template's points: the instance's key (the captured labels joined by dots) and,
     * with replicas, the replica's index (0-based; -1 without replicas). Empty for an id that is none of
     * this template's ({@code pages.a}, {@code pages.a.r2}).
     */
    public Optional<InstanceId> parse(String serviceId) {
        if (!serviceId.startsWith(id + ".")) {
            return Optional.empty();
        }
        String key = serviceId.substring(id.length() + 1);
        int replica = -1;
        if (replicas.isPresent()) {
            int r = key.lastIndexOf(".r");
            if (r <= 0 || !key.substring(r + 2).matches("[1-9][0-9]*")) {
                return Optional.empty();
            }
            replica = Integer.parseInt(key.substring(r + 2)) - 1;
            key = key.substring(0, r);
        }
        List<String> values = List.of(key.split("\\.", -1));
        return values.size() == captures.size() ? Optional.of(new InstanceId(key, values, replica)) : Optional.empty();
    }

    /** An instance (or replica) id, parsed: see {@link #parse}. */
    public record InstanceId(String key, List<String> values, int replica) {
    }

    /** Equal when the id and the source are: the pool and factory are made from the source. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ServiceTemplate t && t.id.equals(id) && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + source.hashCode();
    }
}
