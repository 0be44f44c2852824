package org.jitsu.server.core;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * How one {@link BootAttempt} ended: a value, decided once, that the runtime's state transition, the
 * claim's release, the answer to the waiters and the report all read.
 *
 * @param kind what happened
 * @param error the cause of a {@link Kind#FAILED} or {@link Kind#TIMED_OUT} attempt
 */
record BootOutcome(Kind kind, Optional<Throwable> error) {

    enum Kind {
        /** This instance started the VM and it got ready. */
        BOOTED,
        /** This instance adopted the VM a dead owner left running, and it got ready. */
        ADOPTED,
        /** Another instance holds the claim and runs the service: nothing was started here. */
        RUNNING_ELSEWHERE,
        /** A take-over (no caller waiting) found no VM to adopt: nothing was started. */
        NOTHING_TO_TAKE_OVER,
        /** The claim, the start, a readiness check failed, or the VM died while getting ready. */
        FAILED,
        /** The boot timeout passed. */
        TIMED_OUT
    }

    static final BootOutcome BOOTED = new BootOutcome(Kind.BOOTED, Optional.empty());
    static final BootOutcome ADOPTED = new BootOutcome(Kind.ADOPTED, Optional.empty());
    static final BootOutcome RUNNING_ELSEWHERE = new BootOutcome(Kind.RUNNING_ELSEWHERE, Optional.empty());
    static final BootOutcome NOTHING_TO_TAKE_OVER = new BootOutcome(Kind.NOTHING_TO_TAKE_OVER, Optional.empty());

    BootOutcome {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(error, "error");
    }

    static BootOutcome failed(Throwable error) {
        return new BootOutcome(error instanceof TimeoutException ? Kind.TIMED_OUT : Kind.FAILED, Optional.of(error));
    }

    /** The service runs (here or elsewhere): the waiters get its endpoints. */
    boolean ready() {
        return kind == Kind.BOOTED || kind == Kind.ADOPTED || kind == Kind.RUNNING_ELSEWHERE;
    }

    /** A real failure: counted in the service's failures. */
    boolean failure() {
        return kind == Kind.FAILED || kind == Kind.TIMED_OUT;
    }

    /** What the waiters of an attempt with this outcome are told: empty when ready. */
    Optional<ServiceUnavailableException> unavailable(String id, ServiceReporter reporter) {
        return switch (kind) {
            case BOOTED, ADOPTED, RUNNING_ELSEWHERE -> Optional.empty();
            case NOTHING_TO_TAKE_OVER -> Optional.of(new ServiceUnavailableException(id,
                    ServiceUnavailableException.Reason.TAKEN_OVER, "service " + id
                    + " was being taken over from a dead instance; ask again"));
            case TIMED_OUT -> Optional.of(new ServiceUnavailableException(id,
                    ServiceUnavailableException.Reason.BOOT_TIMED_OUT, "boot of service " + id + " "
                    + reporter.cause(this)));
            case FAILED -> Optional.of(new ServiceUnavailableException(id,
                    ServiceUnavailableException.Reason.BOOT_FAILED, "boot of service " + id + " "
                    + reporter.cause(this)));
        };
    }
}
