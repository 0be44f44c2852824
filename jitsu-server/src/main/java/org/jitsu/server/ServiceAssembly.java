package org.jitsu.server;

import java.util.ArrayList;
import java.util.List;
import org.jitsu.backend.Backend;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/** Turns service configs into {@link NamedService}s: defines each VM on its backend, parses readiness. */
final class ServiceAssembly {
    private ServiceAssembly() {
    }

    static List<NamedService> define(JitsuConfig config, BackendSet backends, ReadinessParser readiness,
                                          Scheduler timer) {
        List<NamedService> out = new ArrayList<>();
        for (ServiceConfig s : config.services()) {
            out.add(define(s, backends, readiness, timer));
        }
        return List.copyOf(out);
    }

    /** The stop mode of the entry at {@code path} is one its backend supports. */
    static void checkStopMode(String path, Backend backend, StopMode mode) {
        if (!backend.stopModes().contains(mode)) {
            List<String> modes = new ArrayList<>();
            backend.stopModes().forEach(m -> modes.add(m.configName()));
            throw new ConfigException(path + ".stop.mode", mode.configName(), "one of "
                    + String.join(", ", modes) + " (what backend " + backend.name() + " of type "
                    + backend.type() + " supports)");
        }
    }

    /** One service: its VM defined on its backend, its readiness parsed. */
    static NamedService define(ServiceConfig s, BackendSet backends, ReadinessParser readiness, Scheduler timer) {
        Backend backend = backends.get(s.backend()).orElseThrow(() -> new IllegalStateException(
                s.path() + ".backend: " + s.backend() + " was validated but not created"));
        checkStopMode(s.path(), backend, s.stopMode());
        Vm vm = backend.define(s.id(), s.spec());
        List<ReadinessCheck> checks = new ArrayList<>();
        for (Settings item : s.readiness()) {
            checks.add(readiness.parse(item, timer));
        }
        return new NamedService(new ServiceDefinition(s.id(), s.addresses(), vm, checks, s.bootTimeout(),
                s.idleTimeout(), s.stopMode(), s.stopGrace()), s.names(), s.ttl());
    }
}
