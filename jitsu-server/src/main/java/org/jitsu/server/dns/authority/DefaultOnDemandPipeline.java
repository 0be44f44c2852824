package org.jitsu.server.dns.authority;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.core.ReplicaSet;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.core.TemplateInstances;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The {@link OnDemandPipeline}: a {@link ZoneIndex} whose service names hold the core's
 * {@link ManagedService}s, behind a volatile field. A reload prepares the core's change, builds the new
 * index on the services the core will have, and swaps both in together, so a query sees either the old
 * or the new configuration, never a mix, and none is dropped. A replicated service's replicas are
 * services of the core; its {@link ReplicaSet} (the scaling ticks) lives here, one per view.
 */
final class DefaultOnDemandPipeline implements OnDemandPipeline {
    private final OnDemandCore core;
    private final Scheduler timer;
    private final Duration scaleInterval;
    private final Set<TemplateInstances> listened = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile View current;
    private volatile boolean started;

    DefaultOnDemandPipeline(OnDemandCore core, List<ZoneDefinition> zones, List<NamedService> services,
                            List<NamedTemplate> templates, List<NamedReplicas> replicated, Scheduler timer,
                            Duration scaleInterval) {
        this.core = core;
        this.timer = timer;
        this.scaleInterval = scaleInterval;
        try {
            Map<String, ReplicaSet> sets = sets(replicated, id -> core.service(id).orElseThrow());
            this.current = new View(ZoneIndex.build(zones, services, id -> core.service(id).orElseThrow(), templates,
                    id -> core.template(id).orElseThrow(), replicated, sets::get), services, List.copyOf(templates),
                    List.copyOf(replicated), sets);
            listen(id -> core.template(id).orElseThrow(), templates);
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    /** The core's definitions of the replicas of {@code replicated}, in order. */
    static List<ServiceDefinition> replicaDefinitions(List<NamedReplicas> replicated) {
        List<ServiceDefinition> out = new ArrayList<>();
        replicated.forEach(r -> out.addAll(r.replicas()));
        return out;
    }

    private Map<String, ReplicaSet> sets(List<NamedReplicas> replicated, Function<String, ManagedService> services) {
        Map<String, ReplicaSet> out = new LinkedHashMap<>();
        for (NamedReplicas r : replicated) {
            List<ManagedService> replicas = new ArrayList<>();
            r.replicas().forEach(d -> replicas.add(services.apply(d.id())));
            out.put(r.id(), new ReplicaSet(r.id(), replicas, r.policy(), timer, scaleInterval));
        }
        return out;
    }

    /** Drops an instance's node from the current index when the core forgets it (once per template runtime). */
    private synchronized void listen(Function<String, TemplateInstances> runtimes, List<NamedTemplate> templates) {
        for (NamedTemplate t : templates) {
            TemplateInstances instances = runtimes.apply(t.id());
            if (listened.add(instances)) {
                instances.onForgotten(s -> current.index.forgotten(t.id(), s));
            }
        }
    }

    @Override
    public Mono<Void> start() {
        return core.start().then(Mono.fromRunnable(() -> {
            synchronized (this) {
                started = true;
                current.sets.values().forEach(ReplicaSet::start);
            }
        }));
    }

    @Override
    public Mono<Answer> resolve(Query query) {
        return current.index.resolve(query);
    }

    @Override
    public OnDemandCore core() {
        return core;
    }

    @Override
    public List<NamedService> definitions() {
        return current.services;
    }

    @Override
    public List<NamedTemplate> templates() {
        return current.templates;
    }

    @Override
    public List<NamedReplicas> replicated() {
        return current.replicated;
    }

    /** The replica set of a replicated service now, if any. */
    ReplicaSet replicaSet(String id) {
        return current.sets.get(id);
    }

    @Override
    public synchronized ReloadResult reload(List<ZoneDefinition> zones, List<NamedService> services,
                                            List<NamedTemplate> templates, List<NamedReplicas> replicated) {
        List<ServiceDefinition> definitions = new ArrayList<>(PipelineBuilder.definitions(services));
        definitions.addAll(replicaDefinitions(replicated));
        OnDemandCore.Reload reload = core.prepare(definitions, PipelineBuilder.coreTemplates(templates));
        // throws before anything changes: the core's change is only prepared
        Map<String, ReplicaSet> sets = sets(replicated, id -> reload.service(id).orElseThrow());
        View next = new View(ZoneIndex.build(zones, services, id -> reload.service(id).orElseThrow(), templates,
                id -> reload.template(id).orElseThrow(), replicated, sets::get), List.copyOf(services),
                List.copyOf(templates), List.copyOf(replicated), sets);
        listen(id -> reload.template(id).orElseThrow(), templates);
        View before = current;
        ReloadResult result = reload.commit(() -> current = next);
        before.sets.values().forEach(ReplicaSet::close);
        if (started) {
            next.sets.values().forEach(ReplicaSet::start);
        }
        return result;
    }

    /** Template instance nodes the current index holds (for tests of the memory bound). */
    int instanceNodes() {
        return current.index.instanceNodes();
    }

    @Override
    public synchronized void close() {
        current.sets.values().forEach(ReplicaSet::close);
        core.close();
    }

    /** One configuration: the index and what it was built from. */
    private record View(ZoneIndex index, List<NamedService> services, List<NamedTemplate> templates,
                        List<NamedReplicas> replicated, Map<String, ReplicaSet> sets) {
    }
}
