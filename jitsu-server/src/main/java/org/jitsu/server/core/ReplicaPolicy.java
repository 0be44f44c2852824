package org.jitsu.server.core;

/**
 * How many replicas of a service run. The signal is the requests per second the service gets, counted
 * at every {@code warm()} and cold request, over each idle-check interval: a DNS server sees
 * queries, not connections, and a replica's load follows the queries that name it (keep the TTL short,
 * so that resolvers ask again and the count follows the load). One more replica boots when the rate
 * exceeds {@code targetPerReplica} per ready replica; one stops when the rate would stay under half
 * the target per replica with one fewer, for three intervals in a row. Never below {@code min} while
 * the service runs; the whole set stops when idle like a service (so {@code min} 0 and 1 both scale to
 * zero: {@code min} is the floor while it has traffic).
 *
 * @param min replicas kept while the service runs (at least 1 counts as running)
 * @param max replicas at most (each has its own VM and address)
 * @param targetPerReplica requests per second one replica is meant to take
 */
public record ReplicaPolicy(int min, int max, double targetPerReplica) {
    /** @throws IllegalArgumentException naming the value out of range */
    public ReplicaPolicy {
        if (max < 1 || max > 64) {
            throw new IllegalArgumentException("max: " + max + " (expected: 1 to 64)");
        }
        if (min < 0 || min > max) {
            throw new IllegalArgumentException("min: " + min + " (expected: 0 to max)");
        }
        if (!(targetPerReplica > 0) || Double.isInfinite(targetPerReplica)) {
            throw new IllegalArgumentException("targetPerReplica: " + targetPerReplica + " (expected: > 0)");
        }
    }
}
