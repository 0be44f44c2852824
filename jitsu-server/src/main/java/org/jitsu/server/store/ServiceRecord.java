package org.jitsu.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.core.ServiceStatus;

/**
 * What the store keeps per service.
 *
 * @param id the service id
 * @param state the state the owner last reported
 * @param owner the instance that wrote it (for a running service: the one that booted or adopted it)
 * @param since when it entered that state (epoch ms)
 * @param lastQuery the last query any instance saw (epoch ms), -1 when never
 * @param boots successful boots
 * @param failures failed boots
 * @param lastBootMillis how long the last successful boot took, -1 when none
 */
public record ServiceRecord(String id, ServiceStatus.State state, String owner, long since, long lastQuery, long boots,
                            long failures, long lastBootMillis) {
    public ServiceRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(owner, "owner");
    }

    /** The record of a status, written by {@code owner}. */
    public static ServiceRecord of(ServiceStatus s, String owner) {
        return new ServiceRecord(s.id(), s.state(), owner, s.since().toEpochMilli(),
                s.lastQuery().map(Instant::toEpochMilli).orElse(-1L), s.boots(), s.failures(),
                s.lastBootMillis().orElse(-1L));
    }

    /**
     * One line of {@code key=value} pairs separated by spaces (the etcd value of the record):
     * {@code state=RUNNING owner=ns1 since=... last-query=... boots=1 failures=0 last-boot-ms=12}.
     */
    public String encode() {
        return "state=" + state.name() + " owner=" + owner + " since=" + since + " last-query=" + lastQuery + " boots="
                + boots + " failures=" + failures + " last-boot-ms=" + lastBootMillis;
    }

    /**
     * The record {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException when the text is not such a record
     */
    public static ServiceRecord decode(String id, String text) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (String pair : text.strip().split(" +")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("service record of " + id + ": not key=value: " + pair);
            }
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        try {
            return new ServiceRecord(id, ServiceStatus.State.valueOf(m.get("state")), m.getOrDefault("owner", ""),
                    Long.parseLong(m.get("since")), Long.parseLong(m.get("last-query")), Long.parseLong(m.get("boots")),
                    Long.parseLong(m.get("failures")), Long.parseLong(m.get("last-boot-ms")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("service record of " + id + ": " + text + ": " + e.getMessage(), e);
        }
    }

    /** The status the pipeline starts a runtime from. */
    public ServiceStatus toStatus() {
        return new ServiceStatus(id, state, Instant.ofEpochMilli(since),
                lastQuery < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastQuery)), boots, failures,
                lastBootMillis < 0 ? Optional.empty() : Optional.of(lastBootMillis));
    }
}
