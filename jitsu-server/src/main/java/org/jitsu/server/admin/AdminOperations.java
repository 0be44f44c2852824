package org.jitsu.server.admin;

import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * What the admin API can see and do, implemented by the running server. Methods that return plain
 * values must be cheap and non-blocking (they run on the HTTP event loop); the others return a Mono
 * that does any blocking work on a scheduler of the implementation's choice.
 */
public interface AdminOperations {

    /**
     * True once the DNS listeners are bound, while every backend answers its readiness check (a
     * libvirt backend whose connection is lost does not), until shutdown begins. Bounded; never errors.
     */
    Mono<Boolean> ready();

    /** Every configured service with its state, in config order. */
    List<ServiceView> services();

    /** Boots a service unless it runs; empty when there is no such service. Completes with the service's view and the failure, if any. */
    Optional<Mono<ActionResult>> start(String id);

    /** Stops a service with its stop mode; empty when there is no such service. */
    Optional<Mono<ActionResult>> stop(String id);

    /** Loads, validates and applies the config file again. Never errors: a rejection is a result. */
    Mono<ReloadOutcome> reload();

    /** The Prometheus text exposition; empty when metrics are disabled. May be CPU-heavy: called off the event loop. */
    Optional<String> metrics();

    /**
     * Registers (or replaces) a service at run time from a YAML or JSON mapping with the keys of a
     * {@code services[]} entry; it is kept in the state store and served at once. Never errors.
     */
    default Mono<Registration> register(String id, String spec) {
        return Mono.just(new Registration(Registration.Outcome.UNAVAILABLE, "run-time registration is not available"));
    }

    /** Removes a service registered at run time (stopping it). Never errors. */
    default Mono<Registration> unregister(String id) {
        return Mono.just(new Registration(Registration.Outcome.UNAVAILABLE, "run-time registration is not available"));
    }

    /**
     * The outcome of a registration or removal.
     *
     * @param outcome what happened
     * @param message what changed, or why nothing did
     */
    record Registration(Outcome outcome, String message) {
        /** What happened; each has its HTTP status. */
        public enum Outcome {
            /** Stored and served (200). */
            APPLIED,
            /** The spec is invalid (400). */
            INVALID,
            /** No such registered service (404). */
            NOT_FOUND,
            /** The id belongs to a service of the config file (409). */
            CONFLICT,
            /** The store could not be written, or the server is not ready (503). */
            UNAVAILABLE
        }
    }

    /**
     * The outcome of an operator's start or stop.
     *
     * @param service the service's view afterwards
     * @param failure why it did not reach the requested state, if it did not
     */
    record ActionResult(ServiceView service, Optional<String> failure) {
    }

    /**
     * The outcome of a reload.
     *
     * @param applied true when the new config is now served
     * @param message what changed, or why the file was rejected (the running config stays then)
     */
    record ReloadOutcome(boolean applied, String message) {
    }
}
