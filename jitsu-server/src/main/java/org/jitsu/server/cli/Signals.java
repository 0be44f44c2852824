package org.jitsu.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK 17+;
 * not a {@code jdk.internal} API). The handler runs on a JVM signal thread and must return quickly:
 * the reload it starts runs on the server's worker scheduler.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Runs {@code action} on every SIGHUP; logs and carries on when the platform has no SIGHUP. */
    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                log.info("SIGHUP: reloading the config");
                action.run();
            });
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available here ({}); reload with POST /api/reload", e.getMessage());
        }
    }
}
