package org.jitsu.server.core;

import java.util.Objects;

/**
 * The answer of a template to a name: the instance to use, or why there is none. A refusal is an
 * outcome, not an error: it is counted, logged once per period, and the client answers at once
 * (SERVFAIL or REFUSED on the DNS side).
 */
public sealed interface Admission {

    /**
     * The instance (new or known) for the name; its {@code ensureRunning()} boots it if needed. With
     * replicas, {@code service} is replica 1 and {@code replicas} the instance's set (else null).
     */
    record Admitted(ManagedService service, ReplicaSet replicas) implements Admission {
        public Admitted(ManagedService service) {
            this(service, null);
        }

        public Admitted {
            Objects.requireNonNull(service, "service");
        }
    }

    /** No instance: {@code reason} says which budget or resource ran out. */
    record Refused(Reason reason, String message) implements Admission {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a template refused a name. */
    enum Reason {
        /** {@code maxInstances} known and none could be forgotten to make room. */
        TOO_MANY_INSTANCES,
        /** {@code maxRunning} instances run already. */
        TOO_MANY_RUNNING,
        /** The template's rate of new instances is spent. */
        RATE,
        /** The client prefix's rate of new instances is spent. */
        CLIENT_RATE,
        /** An address range of the pool is exhausted. */
        NO_ADDRESS,
        /** The backend refused to define the instance's VM (see the log). */
        BACKEND
    }
}
