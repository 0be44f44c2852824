package org.jitsu.backend.spi;

import java.nio.file.Path;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;

/**
 * What the server hands every backend it creates.
 *
 * @param stateDir a directory the backend may use for logs and state (created on demand)
 * @param timer the scheduler for timeouts and grace periods (virtual in tests)
 */
public record BackendContext(Path stateDir, Scheduler timer) {
    public BackendContext {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(timer, "timer");
    }
}
