package org.jitsu.server.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jitsu.backend.BackendException;
import reactor.core.scheduler.Scheduler;

/**
 * What one service's runtime and its helpers ({@link BootAttempt}, {@link StopProcedure},
 * {@link ServiceReporter}) share: its definition and the core's parts. Immutable.
 */
record ServiceContext(ServiceDefinition def, Scheduler timer, BootGate gate, BootLimits limits, CoreMetrics metrics,
                      ServiceJournal journal, BootCoordinator coordinator, ServiceTraffic traffic) {

    String id() {
        return def.id();
    }

    /** Milliseconds on the core's timer. */
    long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    /** An error as one line for the log: a backend's message and code, "timed out", or the exception. */
    static String describe(Throwable error) {
        if (error instanceof BackendException be) {
            return be.getMessage() + " [" + be.code() + "]";
        }
        if (error instanceof TimeoutException) {
            return "timed out";
        }
        return error.toString();
    }
}
