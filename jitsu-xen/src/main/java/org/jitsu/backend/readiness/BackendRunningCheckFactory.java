package org.jitsu.backend.readiness;

import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/** {@code backend: running}: the VM's backend reports it running (polled with back-off). */
public final class BackendRunningCheckFactory implements ReadinessCheckFactory {

    /** For {@link java.util.ServiceLoader}. */
    public BackendRunningCheckFactory() {
    }

    @Override
    public String key() {
        return "backend";
    }

    @Override
    public String syntax() {
        return "backend: running";
    }

    @Override
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        String value = item.string(key());
        if (!value.equals("running")) {
            throw new ConfigException(item.keyPath(key()), value, "running");
        }
        return new BackendRunningCheck(timer);
    }
}
