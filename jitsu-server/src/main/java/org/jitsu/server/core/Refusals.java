package org.jitsu.server.core;

import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A template's refusals: each counted in the metrics, and logged at most once per 10 s per reason, so
 * that a flood of random names writes a line per period, not a line per name.
 */
final class Refusals {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);
    /** A refusal is logged at most once per this many milliseconds per reason. */
    static final long LOG_PERIOD_MILLIS = 10_000;

    private final String templateId;
    private final TemplateRuntime.Clock clock;
    private final CoreMetrics metrics;
    private final Map<Admission.Reason, Long> lastLogged = new EnumMap<>(Admission.Reason.class); // guarded by this

    Refusals(String templateId, TemplateRuntime.Clock clock, CoreMetrics metrics) {
        this.templateId = templateId;
        this.clock = clock;
        this.metrics = metrics;
    }

    Admission refuse(Admission.Reason reason, String message) {
        metrics.instanceRefused(templateId, reason);
        long now = clock.now();
        boolean logIt;
        synchronized (this) {
            Long last = lastLogged.get(reason);
            logIt = last == null || now - last >= LOG_PERIOD_MILLIS;
            if (logIt) {
                lastLogged.put(reason, now);
            }
        }
        if (logIt) {
            log.warn("{} (logged once per {} s per reason)", message, LOG_PERIOD_MILLIS / 1000);
        }
        return new Admission.Refused(reason, message);
    }
}
