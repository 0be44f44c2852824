package org.jitsu.server.core;

/**
 * The phases of one cold start, in order, each from the end of the one before, on the core's timer
 * (milliseconds). The first three add up to the boot's duration ({@link CoreMetrics#bootSucceeded}); the
 * last is what follows it until the waiters have their answer. A boot reports the phases it completed
 * ({@link CoreMetrics#coldStartPhase}), once, after its waiters were answered; only a boot that started
 * its VM on this instance has phases (not one that lost the claim to another instance, nor an adoption).
 */
public enum ColdStartPhase {
    /**
     * The boot was created (by the first request) until this instance's backend call to start the VM
     * began: the hop to the core's timer, a stop still in flight, the wait for a boot slot
     * ({@code boot.max-concurrent}) and, in a cluster, the claim.
     */
    QUEUED,
    /** The backend's start call until it reported the VM (or process) started. */
    VM_START,
    /** The VM started until every readiness check passed. */
    READINESS,
    /**
     * Readiness passed until the waiting requests were given the endpoints (the service's state changed
     * to running, the claim released, the answers emitted). Only for a boot that got ready.
     */
    ANSWER
}
