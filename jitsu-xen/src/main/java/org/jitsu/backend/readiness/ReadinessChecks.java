package org.jitsu.backend.readiness;

import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.Settings;
import reactor.core.scheduler.Scheduler;

/** Builds {@link ReadinessCheck}s from config. */
public final class ReadinessChecks {
    private ReadinessChecks() {
    }

    /**
     * Parses one item of a service's {@code readiness:} list, a mapping with exactly one key:
     * {@code backend: running}, {@code tcp: ADDRESS:PORT}, {@code http: URL}, {@code delay: DURATION}.
     *
     * @param item the item, with its path ({@code services[0].readiness[1]})
     * @param timer scheduler for retry intervals and delays
     */
    public static ReadinessCheck parse(Settings item, Scheduler timer) {
        throw new UnsupportedOperationException("readiness checks not built yet");
    }
}
