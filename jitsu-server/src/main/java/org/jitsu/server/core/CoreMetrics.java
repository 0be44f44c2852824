package org.jitsu.server.core;

import java.time.Duration;
import org.jitsu.backend.StopMode;

/**
 * What the core reports, per service id. Free of any metrics library ({@code org.jitsu.server.metrics}
 * binds it to Micrometer); implementations must be cheap, thread-safe and non-blocking.
 */
public interface CoreMetrics {

    /** A request for a running service was answered without waiting (the warm path). */
    default void warmHit(String serviceId) {
    }

    /** A request joined a boot already in flight instead of starting one. */
    default void joinedBoot(String serviceId) {
    }

    /** This instance starts the service's VM (not counted: a claim lost to another instance, an adoption). */
    default void bootStarted(String serviceId) {
    }

    /**
     * This instance's boot lost the claim to another instance and joined its boot (or found the service
     * running there): answered without a VM start here.
     */
    default void bootJoinedElsewhere(String serviceId) {
    }

    /** This instance adopted the VM a dead owner left running, instead of booting one; it is ready. */
    default void vmAdopted(String serviceId) {
    }

    /** Boot (start and readiness) succeeded after {@code duration}. */
    default void bootSucceeded(String serviceId, Duration duration) {
    }

    /** Boot failed ({@code timedOut} when the boot timeout passed). */
    default void bootFailed(String serviceId, boolean timedOut, Duration duration) {
    }

    /** A boot was refused because the boot queue was full. */
    default void bootRejected(String serviceId) {
    }

    /** Boots running and queued, after a change. */
    default void bootsInFlight(int running, int queued) {
    }

    /** A service was stopped ({@code reason}: idle, operator, failed-boot, removed, shutdown). */
    default void stopped(String serviceId, StopMode mode, String reason) {
    }

    /**
     * A request that waited for a boot got its outcome ({@code ok} false: the service is unavailable)
     * after {@code waited}, measured on the core's timer from the request's arrival. Cold path only.
     */
    default void coldAnswered(String serviceId, Duration waited, boolean ok) {
    }

    /**
     * One phase of a boot's cold start took {@code took} (core's timer, millisecond resolution). Called
     * once per completed phase of a boot that started its VM here, in order, after the waiters were
     * answered; a failed boot reports the phases it completed.
     */
    default void coldStartPhase(String serviceId, ColdStartPhase phase, Duration took) {
    }

    /** A template refused a name ({@link Admission.Reason}); per template, never per name. */
    default void instanceRefused(String templateId, Admission.Reason reason) {
    }

    /** A template made a new instance. */
    default void instanceCreated(String templateId) {
    }

    /** A template forgot an instance (stopped and unused, or to make room). */
    default void instanceForgotten(String templateId) {
    }

    CoreMetrics NOOP = new CoreMetrics() {
    };
}
