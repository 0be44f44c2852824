package org.jitsu.server.core;

import java.util.Objects;

/**
 * Why a service is not running for a caller that waited for it: the error of
 * {@link ManagedService#ensureRunning()} and {@link ManagedService#start()}. Carries no stack trace
 * (it is an outcome, not a bug) and may be shared by every caller that waited on the same boot.
 */
public final class ServiceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kept the service from running. */
    public enum Reason {
        /** The boot gate's queue was full: no boot was started. */
        QUEUE_FULL,
        /** Too many callers wait on this service's boot already. */
        TOO_MANY_WAITERS,
        /** The boot failed (the backend, a readiness check, the claim, the VM died). */
        BOOT_FAILED,
        /** The boot did not finish within the service's boot timeout. */
        BOOT_TIMED_OUT,
        /** The boot only took a dead instance's VM over and found none: ask again. */
        TAKEN_OVER,
        /** A template's instance was forgotten (stopped and unused): the template makes a new one. */
        FORGOTTEN
    }

    private final String serviceId;
    private final Reason reason;

    public ServiceUnavailableException(String serviceId, Reason reason, String message) {
        super(message, null, false, false);
        this.serviceId = Objects.requireNonNull(serviceId, "serviceId");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public String serviceId() {
        return serviceId;
    }

    public Reason reason() {
        return reason;
    }
}
