package org.jitsu.server.core;

import java.util.Optional;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * How the instances that serve the same services agree on boots and stops. The core asks
 * {@link #claim} before it boots a service, tells {@link #runs} which VM it started or adopted, tells
 * {@link #released} when its boot or stop ends, and adds {@link #lastQueryElsewhere} to its own
 * last-query time in the idle check (a memory read: no I/O on the idle tick, none on the warm path).
 *
 * <p>{@link #LOCAL} is a single instance: every claim is this instance's, no one else queries, so the
 * core behaves exactly as without coordination.
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

    /**
     * A VM that another instance started and never stopped (it died: its lease expired).
     *
     * @param instance the instance that ran it
     * @param handle what that instance's backend said of the VM ({@code Vm.handle()}), for {@code Vm.attach}
     */
    record LeftBehind(String instance, String handle) {
    }

    /**
     * The outcome of a claim.
     *
     * @param own true when this instance is to boot the service and owns it (only the owner stops it);
     *     false when another instance booted it (the Mono completed once it ran there): answer, do not boot
     * @param leftBehind for an owned claim: the VM the previous owner left behind, to adopt when it still
     *     runs instead of booting another
     */
    record Claim(boolean own, Optional<LeftBehind> leftBehind) {
        /** This instance boots the service. */
        public static final Claim OWN = new Claim(true, Optional.empty());
        /** Another instance booted it. */
        public static final Claim RUNNING_ELSEWHERE = new Claim(false, Optional.empty());

        /** This instance owns the service; {@code vm} may still run. */
        public static Claim adopting(LeftBehind vm) {
            return new Claim(true, Optional.of(vm));
        }
    }

    /**
     * Claims the boot of a service: an owned claim when this instance is to boot it (with the VM a dead
     * owner left behind, if any), or, when another instance has claimed it,
     * {@link Claim#RUNNING_ELSEWHERE} once that instance reports it running (it claims again if that
     * instance fails or dies meanwhile). An error fails the boot (SERVFAIL).
     */
    Mono<Claim> claim(String serviceId);

    /**
     * This instance's claim ends: its boot succeeded ({@code running}), or failed, or it stopped the
     * service. Not running also forgets the VM told to {@link #runs}.
     */
    void released(String serviceId, boolean running);

    /**
     * This instance started or adopted the service's VM, whose backend calls it {@code vmHandle}: kept
     * where another instance finds it should this one die. By default kept nowhere.
     */
    default void runs(String serviceId, String vmHandle) {
    }

    /**
     * A template forgot this instance (it was stopped and released first): what the coordinator keeps for
     * it may go. By default nothing is kept.
     */
    default void forgotten(String serviceId) {
    }

    /** The latest query time (epoch ms of the core's timer) another instance saw, or {@link Long#MIN_VALUE}. */
    long lastQueryElsewhere(String serviceId);

    /**
     * Calls {@code listener} with the id of a service whose owner died and left its VM behind (its claim
     * expired with its lease, its VM is still on record), so that this instance takes it over. By default
     * never (a single instance has no one to outlive).
     */
    default void onLeftBehind(Consumer<String> listener) {
    }
}
