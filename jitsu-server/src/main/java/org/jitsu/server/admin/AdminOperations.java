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
