package org.jitsu.server.core;

import java.time.Duration;
import org.jitsu.backend.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one service tells the world after a transition: the journal (its status), the metrics and the
 * log line of a boot's outcome, how long each waiting request waited, and the phases of the boot's
 * cold start. Called outside the runtime's lock, after the waiters were answered, so that no answer
 * waits for a log line or a store write.
 */
final class ServiceReporter {
    private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

    private final ServiceContext ctx;

    ServiceReporter(ServiceContext ctx) {
        this.ctx = ctx;
    }

    /** Tells the journal the current status (never on the warm path; a failing journal is logged). */
    void journal(ServiceStatus status) {
        try {
            ctx.journal().changed(status);
        } catch (RuntimeException e) {
            log.warn("service {}: journal failed: {}", ctx.id(), e.toString());
        }
    }

    /** The metrics and log line of an attempt that ended at {@code now}, and each waiter's wait. */
    void bootEnded(BootOutcome outcome, long tookMillis, long[] arrivals, long now) {
        String id = ctx.id();
        CoreMetrics metrics = ctx.metrics();
        switch (outcome.kind()) {
            case BOOTED -> {
                waited(arrivals, now, true);
                metrics.bootSucceeded(id, Duration.ofMillis(tookMillis));
                log.info("service {}: booted in {} ms", id, tookMillis);
            }
            case ADOPTED -> {
                waited(arrivals, now, true);
                log.info("service {}: adopted, ready after {} ms", id, tookMillis);
                metrics.vmAdopted(id);
            }
            case RUNNING_ELSEWHERE -> {
                waited(arrivals, now, true);
                log.info("service {}: running on another instance after {} ms; answering without booting", id,
                        tookMillis);
                metrics.bootJoinedElsewhere(id);
            }
            case NOTHING_TO_TAKE_OVER -> log.info("service {}: no VM left to take over; it stays stopped until queried",
                    id);
            case FAILED, TIMED_OUT -> {
                waited(arrivals, now, false);
                boolean timedOut = outcome.kind() == BootOutcome.Kind.TIMED_OUT;
                metrics.bootFailed(id, timedOut, Duration.ofMillis(tookMillis));
                Throwable error = outcome.error().orElseThrow();
                String cause = cause(outcome);
                if (timedOut || error instanceof BackendException) {
                    log.warn("service {}: boot failed after {} ms: {}", id, tookMillis, cause);
                } else {
                    log.warn("service {}: boot failed after {} ms: {}", id, tookMillis, cause, error);
                }
            }
            default -> throw new IllegalStateException(outcome.kind().toString());
        }
    }

    /**
     * The {@link ColdStartPhase}s an attempt created at {@code createdAt} completed, when it started its
     * VM here: {@code answeredAt} is when its waiters had their answer ({@code ready} false: it did not
     * get ready, so there is no answer phase).
     */
    void coldStartEnded(long createdAt, BootAttempt.Steps steps, boolean ready, long answeredAt) {
        if (steps.vmStart() == BootAttempt.NOT_REACHED) {
            return; // no VM start of this instance's (lost the claim, adopted, failed in the queue)
        }
        phase(ColdStartPhase.QUEUED, steps.vmStart() - createdAt);
        if (steps.vmStarted() == BootAttempt.NOT_REACHED) {
            return;
        }
        phase(ColdStartPhase.VM_START, steps.vmStarted() - steps.vmStart());
        if (steps.ready() == BootAttempt.NOT_REACHED) {
            return;
        }
        phase(ColdStartPhase.READINESS, steps.ready() - steps.vmStarted());
        if (ready) {
            phase(ColdStartPhase.ANSWER, answeredAt - steps.ready());
        }
    }

    private void phase(ColdStartPhase phase, long millis) {
        ctx.metrics().coldStartPhase(ctx.id(), phase, Duration.ofMillis(millis));
    }

    /** Why a failed attempt failed, as its waiters are told. */
    String cause(BootOutcome outcome) {
        return outcome.kind() == BootOutcome.Kind.TIMED_OUT
                ? "timed out after " + ctx.def().bootTimeout().toMillis() + " ms"
                : ServiceContext.describe(outcome.error().orElseThrow());
    }

    /** Records how long each request waited for the attempt that ended at {@code now}. */
    private void waited(long[] arrivals, long now, boolean ok) {
        for (long arrived : arrivals) {
            if (arrived != BootAttempt.LEFT) {
                ctx.metrics().coldAnswered(ctx.id(), Duration.ofMillis(now - arrived), ok);
            }
        }
    }
}
