package org.jitsu.server.core;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of one service's runtime state.
 *
 * @param id the service id
 * @param state what the core believes
 * @param since when it entered that state
 * @param lastQuery when it was last asked for, if ever
 * @param boots boots that succeeded
 * @param failures boots that failed or timed out
 * @param lastBootMillis how long the last successful boot took, to the answer
 */
public record ServiceStatus(String id, State state, Instant since, Optional<Instant> lastQuery, long boots,
                            long failures, Optional<Long> lastBootMillis) {

    /** The core's view of a service. */
    public enum State {
        STOPPED,
        BOOTING,
        RUNNING,
        STOPPING,
        SUSPENDED
    }
}
