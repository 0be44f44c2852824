package org.jitsu.server.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.pipeline.ServiceStatus;

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

    /** The status the pipeline starts a runtime from. */
    public ServiceStatus toStatus() {
        return new ServiceStatus(id, state, Instant.ofEpochMilli(since),
                lastQuery < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastQuery)), boots, failures,
                lastBootMillis < 0 ? Optional.empty() : Optional.of(lastBootMillis));
    }
}
