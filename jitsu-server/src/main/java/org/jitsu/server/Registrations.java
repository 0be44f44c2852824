package org.jitsu.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.admin.AdminOperations.Registration;
import org.jitsu.server.admin.AdminOperations.ReloadOutcome;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.store.StateStore;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Services registered at run time ({@code POST}/{@code DELETE /api/services/ID}): a registration is
 * validated against the config file, saved in the state store, then applied like a reload through the
 * {@link ConfigReloader}. Registrations made by other instances sharing the store arrive through its
 * watch ({@link #follow()}) and are applied the same way. An id of the config file cannot be
 * registered or removed here. Changes are made one at a time, on the worker (store writes block).
 */
final class Registrations {
    private static final Logger log = LoggerFactory.getLogger(Registrations.class);
    /** Bound on one store write made for an operator. */
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);

    private final ConfigReloader reloader;
    private final StateStore store;
    private final Scheduler worker;
    private volatile Disposable storeChanges = () -> { };

    Registrations(ConfigReloader reloader, StateStore store, Scheduler worker) {
        this.reloader = reloader;
        this.store = store;
        this.worker = worker;
    }

    Mono<Registration> register(String id, String body) {
        return Mono.fromCallable(() -> registerNow(id, body)).subscribeOn(worker);
    }

    Mono<Registration> unregister(String id) {
        return Mono.fromCallable(() -> unregisterNow(id)).subscribeOn(worker);
    }

    /**
     * Follows registrations made by other instances sharing the store: each change that differs from
     * what this instance serves is applied like a reload (on the worker).
     */
    void follow() {
        storeChanges = store.serviceChanges()
                .publishOn(worker)
                .subscribe(change -> followed(change.getKey(), change.getValue()),
                        e -> log.warn("store: the watch of registered services ended: {}", e.toString()));
    }

    /** Ends the watch started by {@link #follow()}. */
    void stopFollowing() {
        storeChanges.dispose();
    }

    private synchronized Registration registerNow(String id, String body) {
        String spec;
        try {
            spec = JitsuConfig.serviceSpec(id, body);
        } catch (ConfigException e) {
            return new Registration(Registration.Outcome.INVALID, e.getMessage());
        }
        JitsuConfig config = reloader.config();
        Map<String, String> next = reloader.registered();
        if (config.service(id).isPresent() && !next.containsKey(id)) {
            return new Registration(Registration.Outcome.CONFLICT, "service " + id
                    + " is defined in the config file " + config.source() + "; change it there");
        }
        next.put(id, spec);
        try {
            JitsuConfig.load(Path.of(config.source()), List.copyOf(next.values()));
        } catch (ConfigException e) {
            return new Registration(Registration.Outcome.INVALID, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, config.source() + ": cannot read: " + e);
        }
        try {
            store.putService(id, spec).block(STORE_TIMEOUT);
        } catch (RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, "the store (" + store.describe()
                    + ") could not save service " + id + ": " + rootMessage(e));
        }
        ReloadOutcome outcome = reloader.apply(next);
        log.info("service {}: registered at run time ({})", id, outcome.message());
        return applied(outcome);
    }

    private synchronized Registration unregisterNow(String id) {
        JitsuConfig config = reloader.config();
        Map<String, String> next = reloader.registered();
        if (!next.containsKey(id)) {
            return config.service(id).isPresent()
                    ? new Registration(Registration.Outcome.CONFLICT, "service " + id
                    + " is defined in the config file " + config.source() + "; remove it there")
                    : new Registration(Registration.Outcome.NOT_FOUND, "no service " + id + " registered at run time");
        }
        try {
            store.removeService(id).block(STORE_TIMEOUT);
        } catch (RuntimeException e) {
            return new Registration(Registration.Outcome.UNAVAILABLE, "the store (" + store.describe()
                    + ") could not remove service " + id + ": " + rootMessage(e));
        }
        next.remove(id);
        ReloadOutcome outcome = reloader.apply(next);
        log.info("service {}: removed at run time ({})", id, outcome.message());
        return applied(outcome);
    }

    private synchronized void followed(String id, Optional<String> spec) {
        Map<String, String> next = reloader.registered();
        if (spec.equals(Optional.ofNullable(next.get(id)))) {
            return; // ours, or known already
        }
        spec.ifPresentOrElse(s -> next.put(id, s), () -> next.remove(id));
        ReloadOutcome outcome = reloader.apply(next);
        log.info("service {}: {} by another instance ({})", id, spec.isPresent() ? "registered" : "removed",
                outcome.message());
    }

    private static Registration applied(ReloadOutcome outcome) {
        return new Registration(outcome.applied() ? Registration.Outcome.APPLIED : Registration.Outcome.INVALID,
                outcome.message());
    }

    private static String rootMessage(Throwable e) {
        return JitsuServerBuilder.rootMessage(Exceptions.unwrap(e));
    }
}
