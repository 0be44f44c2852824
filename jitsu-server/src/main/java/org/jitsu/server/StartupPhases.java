package org.jitsu.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wall-clock time of each start-up step, logged once at INFO when the listeners are up, so that an
 * operator with many services sees where start-up goes (config parse, store, defining services on
 * their backends, the zone index, the adoption check, binding).
 */
final class StartupPhases {
    private static final Logger log = LoggerFactory.getLogger(StartupPhases.class);

    private final List<String> steps = new ArrayList<>();
    private long last = System.nanoTime();

    /** Ends the step {@code name} now. */
    void done(String name) {
        long now = System.nanoTime();
        steps.add(String.format(Locale.ROOT, "%s %d ms", name, (now - last) / 1_000_000));
        last = now;
    }

    List<String> steps() {
        return List.copyOf(steps);
    }

    void log(int services) {
        log.info("start-up with {} services: {}", services, String.join(", ", steps));
    }
}
