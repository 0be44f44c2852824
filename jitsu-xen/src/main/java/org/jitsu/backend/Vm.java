package org.jitsu.backend;

import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * One VM (or stand-in process) behind a service. Handles are cheap; they hold no connection.
 *
 * <p>All operations are lazy and non-blocking: nothing happens until the returned {@link Mono} is
 * subscribed, and blocking work runs on the backend's scheduler.
 */
public interface Vm {

    /** Identifies the VM within its backend (domain name, UUID, or service id for processes). */
    String id();

    /** The backend this VM belongs to. */
    Backend backend();

    /** Reads the current state from the backend. */
    Mono<VmState> state();

    /**
     * Makes the VM run: boots it when stopped, resumes it when paused or suspended. Completes when the
     * backend reports it running (readiness of the guest's service is checked separately by
     * {@link ReadinessCheck}s). Signals {@link BackendException} on failure.
     */
    Mono<Void> start();

    /**
     * Stops the VM with the given mode. For {@link StopMode#SHUTDOWN} the VM gets {@code grace} to
     * stop by itself before it is destroyed. Completes when the VM is stopped (or paused, for
     * {@link StopMode#SUSPEND}).
     */
    Mono<Void> stop(StopMode mode, Duration grace);

    /**
     * A text by which another Jitsu instance, on its own handle of the same VM, can find this VM while
     * it runs ({@link #attach}): for a process its pid and start time, for a libvirt domain its UUID.
     * Empty when the VM does not run or the backend has nothing to tell (the default).
     */
    default Mono<Optional<String>> handle() {
        return Mono.just(Optional.empty());
    }

    /**
     * The hypervisor's id of the running VM where it has one (a Xen domain id: its Xenstore home is
     * {@code /local/domain/ID}); empty when it does not run or the backend has none (the default).
     */
    default Mono<Optional<Integer>> domainId() {
        return Mono.just(Optional.empty());
    }

    /**
     * Takes over the VM that another instance started, named by that instance's {@link #handle()}: when
     * it still runs (or is paused), this handle tracks it from then on ({@link #state}, {@link #start},
     * {@link #stop} act on it) and its state is returned; when it is gone, or {@code handle} names
     * something else, nothing changes and the state of this handle's own VM is returned. The default is
     * {@link #state()}: right for backends that find a VM by its name whoever started it.
     */
    default Mono<VmState> attach(String handle) {
        return state();
    }
}
