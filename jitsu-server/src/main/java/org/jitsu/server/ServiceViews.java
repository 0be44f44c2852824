package org.jitsu.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jitsu.server.admin.AdminOperations.ActionResult;
import org.jitsu.server.admin.ServiceView;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.core.ServiceTemplate;
import org.jitsu.server.core.ServiceUnavailableException;
import org.jitsu.server.core.TemplateInstances;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.NamedTemplate;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The services as the admin API shows them (the core's state with the config's names, addresses and
 * backend), and the operator's start and stop ({@code POST /api/services/ID/start|stop}), each answered
 * with the service's view afterwards.
 */
final class ServiceViews {
    private static final Logger log = LoggerFactory.getLogger(ServiceViews.class);

    private final OnDemandCore core;
    private final Supplier<JitsuConfig> config;
    private final Function<String, List<String>> instanceNames;

    /**
     * @param config the config served now (it changes on reload)
     * @param instanceNames the DNS names of a template instance, by its id
     */
    ServiceViews(OnDemandCore core, Supplier<JitsuConfig> config, Function<String, List<String>> instanceNames) {
        this.core = core;
        this.config = config;
        this.instanceNames = instanceNames;
    }

    /** Every service, in the core's order, then every template's known instances. */
    List<ServiceView> all() {
        Map<String, ServiceConfig> byId = config.get().servicesById();
        Map<String, ManagedService> instances = new HashMap<>();
        for (TemplateInstances t : core.templates()) {
            for (ManagedService i : t.instances()) {
                instances.put(i.id(), i);
            }
        }
        List<ServiceView> out = new ArrayList<>();
        for (ServiceStatus s : core.statuses()) {
            ManagedService instance = instances.get(s.id());
            if (instance == null && !byId.containsKey(s.id())) {
                instance = core.service(s.id()).orElse(null); // a replica of a replicated service
            }
            out.add(instance == null ? view(Optional.ofNullable(byId.get(s.id())), s) : instanceView(instance, s));
        }
        return out;
    }

    /** A template's instance or a replica: its names, its own addresses, its backend. */
    private ServiceView instanceView(ManagedService instance, ServiceStatus s) {
        List<String> addresses = new ArrayList<>();
        instance.definition().addresses().forEach(a -> addresses.add(Addresses.format(a)));
        return new ServiceView(s.id(), instanceNames.apply(s.id()), addresses,
                instance.definition().vm().backend().name(), s.state().name(), s.since(), s.lastQuery(), s.boots(),
                s.failures(), s.lastBootMillis());
    }

    /** Boots the service unless it runs; empty when there is no such service. */
    Optional<Mono<ActionResult>> start(String id) {
        return core.service(id).map(s -> started(s).map(failure -> {
            failure.ifPresentOrElse(f -> log.warn("service {}: operator start failed: {}", id, f),
                    () -> log.info("service {}: running (operator start)", id));
            return new ActionResult(view(id), failure);
        }));
    }

    /** Stops the service with its stop mode; empty when there is no such service. */
    Optional<Mono<ActionResult>> stop(String id) {
        return core.service(id).map(s -> s.stop("operator").then(Mono.fromCallable(() -> {
            ServiceView v = view(id);
            boolean stopped = !v.state().equals(ServiceStatus.State.RUNNING.name());
            return new ActionResult(v, stopped ? Optional.empty() : Optional.of("the stop failed; see the log"));
        })));
    }

    /** An operator's start: empty once it runs, else why it does not. */
    private static Mono<Optional<String>> started(ManagedService s) {
        return s.start()
                .then(Mono.just(Optional.<String>empty()))
                .onErrorResume(ServiceUnavailableException.class, e -> Mono.just(Optional.of(e.getMessage())));
    }

    private ServiceView view(String id) {
        JitsuConfig c = config.get();
        ManagedService s = core.service(id).orElseThrow();
        Optional<ServiceConfig> sc = c.service(id);
        return sc.isEmpty() && id.indexOf('.') > 0 ? instanceView(s, s.status()) : view(sc, s.status());
    }

    /** The DNS names of a template instance (from its pattern) or a replica (its service's), by id. */
    static Function<String, List<String>> instanceNames(OnDemandPipeline pipeline) {
        return id -> {
            for (NamedReplicas r : pipeline.replicated()) {
                if (id.startsWith(r.id() + ".r")) {
                    return r.names().stream().map(DomainName::text).toList();
                }
            }
            for (NamedTemplate t : pipeline.templates()) {
                Optional<ServiceTemplate.InstanceId> parsed = t.template().parse(id);
                if (parsed.isPresent()) {
                    return List.of(t.pattern().fill(parsed.get().values()).text());
                }
            }
            return List.of();
        };
    }

    private static ServiceView view(Optional<ServiceConfig> sc, ServiceStatus s) {
        List<String> names = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        sc.ifPresent(x -> {
            x.names().forEach(n -> names.add(n.text()));
            x.addresses().forEach(a -> addresses.add(Addresses.format(a)));
        });
        return new ServiceView(s.id(), names, addresses, sc.map(ServiceConfig::backend).orElse(""), s.state().name(),
                s.since(), s.lastQuery(), s.boots(), s.failures(), s.lastBootMillis());
    }
}
