package org.jitsu.server.core;

import java.time.Duration;
import java.util.function.Consumer;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.server.core.ServiceStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Stops one service's VM with a stop mode and says which state the service is in afterwards: a stop
 * that succeeded ends STOPPED (SUSPENDED for a suspend); one that failed asks the backend what the VM
 * is now, and ends STOPPED only when the VM is known not to run, else RUNNING (the next idle tick tries
 * again). Every backend call is bounded by the grace plus {@link #STOP_MARGIN}. Logs one line a stop.
 */
final class StopProcedure {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    /** Extra time a stop gets on top of its grace before we give up waiting for the backend. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(30);

    /** The reason of the destroy that cleans up after a failed boot. */
    static final String FAILED_BOOT = "failed-boot";

    private final ServiceContext ctx;

    StopProcedure(ServiceContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Stops the VM; {@code finished} gets the state the service is in afterwards.
     *
     * @param idleMillis how long it was idle (for the log), or -1 when not stopped for idleness
     */
    void run(StopMode mode, Duration grace, String reason, long idleMillis, Consumer<State> finished) {
        long t0 = ctx.now();
        String id = ctx.id();
        String idle = idleMillis < 0 ? "" : ", idle " + idleMillis + " ms";
        // connections a proxy holds for the service finish (or are closed) first, except after a failed boot
        Mono<Void> drain = FAILED_BOOT.equals(reason) ? Mono.empty()
                : ctx.traffic().drain(id).onErrorResume(e -> Mono.empty());
        drain.then(Mono.defer(() -> ctx.def().vm().stop(mode, grace)))
                .timeout(grace.plus(STOP_MARGIN), ctx.timer())
                .subscribe(null, error -> {
                    log.warn("service {}: stop ({}, {}{}) failed after {} ms: {}", id, mode.configName(), reason,
                            idle, ctx.now() - t0, ServiceContext.describe(error));
                    if (FAILED_BOOT.equals(reason)) {
                        finished.accept(State.STOPPED);
                        return;
                    }
                    Mono.defer(() -> ctx.def().vm().state())
                            .timeout(STOP_MARGIN, ctx.timer())
                            .defaultIfEmpty(VmState.UNKNOWN)
                            .onErrorReturn(VmState.UNKNOWN)
                            .subscribe(vmState -> finished.accept(afterFailedStop(vmState)));
                }, () -> {
                    log.info("service {}: stopped ({}, {}{}) in {} ms: ok", id, mode.configName(), reason, idle,
                            ctx.now() - t0);
                    ctx.metrics().stopped(id, mode, reason);
                    finished.accept(mode == StopMode.SUSPEND ? State.SUSPENDED : State.STOPPED);
                });
    }

    /** After a failed stop: STOPPED only when the VM is known not to run; otherwise retry next tick. */
    static State afterFailedStop(VmState vmState) {
        switch (vmState) {
            case STOPPED:
            case CRASHED:
                return State.STOPPED;
            case PAUSED:
                return State.SUSPENDED;
            default:
                return State.RUNNING;
        }
    }
}
