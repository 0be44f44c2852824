package org.jitsu.backend;

import reactor.core.publisher.Mono;

/**
 * One step in deciding that a freshly started VM is ready to be announced in DNS. Checks are run in
 * order after {@link Vm#start()} completes; the pipeline bounds them with the service's boot timeout,
 * so a check may retry until it is cancelled.
 *
 * <p>Checks are created from config by a {@link org.jitsu.backend.spi.ReadinessCheckFactory} per item
 * key, chosen by {@code org.jitsu.backend.readiness.ReadinessChecks}.
 */
@FunctionalInterface
public interface ReadinessCheck {

    /** Completes when the VM passes this check; retries internally; never completes if it never does. */
    Mono<Void> await(Vm vm);

    /** A short description for logs: "http GET http://127.0.0.2:8080/", "delay 100ms". */
    default String describe() {
        return getClass().getSimpleName();
    }
}
