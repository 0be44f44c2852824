package org.jitsu.backend.readiness;

import java.time.Duration;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/** {@code delay: DURATION}: waits a fixed time, such as {@code 100ms}, on the timer. */
public final class DelayCheckFactory implements ReadinessCheckFactory {

    /** For {@link java.util.ServiceLoader}. */
    public DelayCheckFactory() {
    }

    @Override
    public String key() {
        return "delay";
    }

    @Override
    public String syntax() {
        return "delay: DURATION";
    }

    @Override
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        Object value = item.raw(key()).orElse(null);
        Duration d = Settings.parseDuration(item.keyPath(key()), value);
        return new DelayCheck(d, String.valueOf(value).trim(), timer);
    }
}
