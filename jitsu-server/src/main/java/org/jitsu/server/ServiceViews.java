package org.jitsu.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jitsu.server.admin.AdminOperations.ActionResult;
import org.jitsu.server.admin.ServiceView;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.core.ServiceUnavailableException;
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

    /**
     * @param config the config served now (it changes on reload)
     */
    ServiceViews(OnDemandCore core, Supplier<JitsuConfig> config) {
        this.core = core;
        this.config = config;
    }

    /** Every service, in the core's order. */
    List<ServiceView> all() {
        Map<String, ServiceConfig> byId = config.get().servicesById();
        List<ServiceView> out = new ArrayList<>();
        for (ServiceStatus s : core.statuses()) {
            out.add(view(Optional.ofNullable(byId.get(s.id())), s));
        }
        return out;
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
        return core.service(id).map(s -> view(c.service(s.id()), s.status())).orElseThrow();
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
