package org.jitsu.server;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jitsu.backend.Backend;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.InstanceFactory;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.dns.authority.NamedReplicas;
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
            if (s.replicas().isEmpty()) {
                out.add(define(s, backends, readiness, timer));
            }
        }
        return List.copyOf(out);
    }

    /** The replicated services of {@code config}, each replica's VM defined. */
    static List<NamedReplicas> defineReplicated(JitsuConfig config, BackendSet backends, ReadinessParser readiness,
                                                Scheduler timer) {
        List<NamedReplicas> out = new ArrayList<>();
        for (ServiceConfig s : config.services()) {
            if (s.replicas().isPresent()) {
                out.add(defineReplicas(s, backends, readiness, timer));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A replicated service: replica k ({@code ID.rK}) gets the k-th address of each family and its own VM,
     * its spec and readiness items with {@code ${replica}}, {@code ${address}}, {@code ${address6}} and
     * {@code ${instance}} filled in.
     */
    static NamedReplicas defineReplicas(ServiceConfig s, BackendSet backends, ReadinessParser readiness,
                                        Scheduler timer) {
        Backend backend = backends.get(s.backend()).orElseThrow(() -> new IllegalStateException(
                s.path() + ".backend: " + s.backend() + " was validated but not created"));
        checkStopMode(s.path(), backend, s.stopMode());
        ReplicaPolicy policy = s.replicas().orElseThrow();
        List<InetAddress> v4 = s.addresses().stream().filter(a -> a.getAddress().length == 4).toList();
        List<InetAddress> v6 = s.addresses().stream().filter(a -> a.getAddress().length == 16).toList();
        List<ServiceDefinition> replicas = new ArrayList<>();
        for (int k = 1; k <= policy.max(); k++) {
            String id = s.id() + ".r" + k;
            List<InetAddress> addresses = new ArrayList<>();
            if (!v4.isEmpty()) {
                addresses.add(v4.get(k - 1));
            }
            if (!v6.isEmpty()) {
                addresses.add(v6.get(k - 1));
            }
            Map<String, String> values = InstanceFactory.values(Map.of(), id, k, addresses);
            Vm vm = backend.define(id, TemplateAssembly.fill(s.spec(), values));
            List<ReadinessCheck> checks = new ArrayList<>();
            for (Settings item : s.readiness()) {
                checks.add(readiness.parse(TemplateAssembly.fill(item, values), timer));
            }
            replicas.add(new ServiceDefinition(id, addresses, vm, checks, s.bootTimeout(), s.idleTimeout(),
                    s.stopMode(), s.stopGrace()));
        }
        return new NamedReplicas(s.id(), replicas, policy, s.names(), s.ttl(), s.selection(), s.sites());
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
                s.idleTimeout(), s.stopMode(), s.stopGrace()), s.names(), s.ttl(),
                s.atOnce() ? s.hold().orElseThrow().front() : List.of());
    }
}
