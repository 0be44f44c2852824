package org.jitsu.server.pipeline;

import reactor.core.publisher.Mono;

/**
 * How the instances that serve the same names agree on boots and stops. The pipeline asks
 * {@link #claim} before it boots a service, tells {@link #released} when its boot or stop ends, and
 * adds {@link #lastQueryElsewhere} to its own last-query time in the idle check (a memory read: no I/O
 * on the idle tick, none on the warm path).
 *
 * <p>{@link #LOCAL} is a single instance: every claim is this instance's, no one else queries, so the
 * pipeline behaves exactly as without coordination.
 */
public interface BootCoordinator {

    /** A single instance. */
    BootCoordinator LOCAL = new BootCoordinator() {
        @Override
        public Mono<Claim> claim(String serviceId) {
            return Mono.just(Claim.OWN);
        }

        @Override
        public void released(String serviceId, boolean running) {
        }

        @Override
        public long lastQueryElsewhere(String serviceId) {
            return Long.MIN_VALUE;
        }
    };

    /** The outcome of a claim. */
    enum Claim {
        /** This instance boots the service and owns it (only the owner stops it). */
        OWN,
        /** Another instance booted it (the Mono completed once it ran there): answer, do not boot. */
        RUNNING_ELSEWHERE
    }

    /**
     * Claims the boot of a service: {@link Claim#OWN} when this instance is to boot it, or, when another
     * instance has claimed it, {@link Claim#RUNNING_ELSEWHERE} once that instance reports it running
     * (it claims again if that instance fails or dies meanwhile). An error fails the boot (SERVFAIL).
     */
    Mono<Claim> claim(String serviceId);

    /** This instance's claim ends: its boot succeeded ({@code running}), or failed, or it stopped the service. */
    void released(String serviceId, boolean running);

    /** The latest query time (epoch ms of the pipeline's timer) another instance saw, or {@link Long#MIN_VALUE}. */
    long lastQueryElsewhere(String serviceId);
}
