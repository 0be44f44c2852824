package org.jitsu.server.core;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jitsu.server.core.ServiceStatus.State;
import reactor.core.scheduler.Scheduler;

/**
 * Makes the parts of one new template instance: for each replica (one without replicas) an address of
 * each range of the pool, derived from the instance's key, the VM its factory defines, and a runtime
 * whose journal tells the template of every state change. Allocates nothing it does not hand over: on a
 * refusal every address taken and VM defined is given back.
 */
final class InstanceMaker {
    private final ServiceTemplate template;
    private final ServiceJournal coreJournal;
    private final Function<TemplateRuntime.ServiceContextParts, ServiceRuntime> runtimes;
    private final CoreMetrics metrics;
    private final Scheduler scaleTimer;
    private final Duration scaleInterval;

    /** A made instance, or why none was made. */
    record Made(KnownInstance instance, Admission.Refused refused) {
    }

    InstanceMaker(ServiceTemplate template, ServiceJournal coreJournal,
                  Function<TemplateRuntime.ServiceContextParts, ServiceRuntime> runtimes, CoreMetrics metrics,
                  Scheduler scaleTimer, Duration scaleInterval) {
        this.template = template;
        this.coreJournal = coreJournal;
        this.runtimes = runtimes;
        this.metrics = metrics;
        this.scaleTimer = scaleTimer;
        this.scaleInterval = scaleInterval;
    }

    private String id() {
        return template.id();
    }

    private static Made refused(Admission.Reason reason, String message) {
        return new Made(null, new Admission.Refused(reason, message));
    }

    /** The instance with this key and these captured values; {@code states} hears each replica's states. */
    Made make(String key, List<String> values, Consumer<State> states) {
        String instanceId = id() + "." + key;
        int count = template.replicas().map(ReplicaPolicy::max).orElse(1);
        List<List<InetAddress>> addresses = new ArrayList<>();
        List<InstanceFactory.Parts> parts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            boolean replicated = template.replicas().isPresent();
            String replicaId = replicated ? instanceId + ".r" + k : instanceId;
            ids.add(replicaId);
            Optional<List<InetAddress>> a = template.addresses().allocate(replicated ? key + ".r" + k : key);
            if (a.isEmpty()) {
                addresses.forEach(template.addresses()::release);
                parts.forEach(p -> p.vm().backend().release(p.vm()));
                return refused(Admission.Reason.NO_ADDRESS, "template " + id() + ": address pool exhausted ("
                        + template.addresses() + "); " + key + " refused");
            }
            addresses.add(a.get());
            Map<String, String> captured = new HashMap<>();
            for (int i = 0; i < values.size(); i++) {
                captured.put(template.captures().get(i), values.get(i));
            }
            Map<String, String> named = InstanceFactory.values(captured, replicaId, replicated ? k : 0, a.get());
            try {
                parts.add(template.factory().create(replicaId, named));
            } catch (RuntimeException e) {
                addresses.forEach(template.addresses()::release);
                parts.forEach(p -> p.vm().backend().release(p.vm()));
                return refused(Admission.Reason.BACKEND, "template " + id() + ": instance " + replicaId
                        + " refused by its backend: " + e.getMessage());
            }
        }
        ServiceJournal journal = new ServiceJournal() {
            @Override
            public Optional<ServiceStatus> saved(String id) {
                return coreJournal.saved(id);
            }

            @Override
            public void changed(ServiceStatus status) {
                states.accept(status.state());
                coreJournal.changed(status);
            }
        };
        List<ServiceRuntime> replicas = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            InstanceFactory.Parts p = parts.get(k);
            ServiceDefinition def = new ServiceDefinition(ids.get(k), addresses.get(k), p.vm(), p.readiness(),
                    template.bootTimeout(), template.idleTimeout(), template.stopMode(), template.stopGrace());
            replicas.add(runtimes.apply(new TemplateRuntime.ServiceContextParts(def, journal,
                    new TemplateMetrics(id(), metrics))));
        }
        ReplicaSet set = template.replicas().map(policy -> new ReplicaSet(instanceId,
                List.<ManagedService>copyOf(replicas), policy, scaleTimer, scaleInterval)).orElse(null);
        return new Made(new KnownInstance(key, replicas, addresses, set), null);
    }
}
