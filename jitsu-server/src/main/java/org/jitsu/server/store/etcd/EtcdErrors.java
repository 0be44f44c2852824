package org.jitsu.server.store.etcd;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Recognises a failed etcd call by the gRPC status codes in its cause chain, never by the text of an
 * exception's message. jetcd fails a call with gRPC's {@link StatusRuntimeException} (or
 * {@link StatusException}), or with its own {@link EtcdException}, whose {@link EtcdException#getErrorCode()
 * ErrorCode} mirrors gRPC's codes; it wraps one in another (a rejected password is an
 * {@code UNAUTHENTICATED} status caused by etcd's {@code INVALID_ARGUMENT} answer), so every status in the
 * chain counts.
 *
 * <p>Where etcd answers several errors with one code ({@code INVALID_ARGUMENT} is a rejected password, an
 * empty user name, an empty key, too many operations in a transaction, ...), the {@link Known} error is
 * told by the status's description as well, compared whole: it is the constant etcd sends with that code
 * ({@code api/v3rpc/rpctypes/error.go}), and the one etcd's own client maps statuses back to its errors by.
 */
final class EtcdErrors {
    private EtcdErrors() {
    }

    /** The errors of etcd that Jitsu acts on or names, each as etcd answers it (code and description). */
    enum Known {
        /** {@code ErrGRPCAuthFailed}: the user or the password is wrong. */
        AUTHENTICATION_FAILED(Status.Code.INVALID_ARGUMENT,
                "etcdserver: authentication failed, invalid user ID or password"),
        /** {@code ErrGRPCUserEmpty}: authentication is enabled and the call named no user. */
        USER_EMPTY(Status.Code.INVALID_ARGUMENT, "etcdserver: user name is empty"),
        /** {@code ErrGRPCUserNotFound}: authentication is enabled and the user does not exist. */
        USER_NOT_FOUND(Status.Code.FAILED_PRECONDITION, "etcdserver: user name not found"),
        /** {@code ErrGRPCPermissionDenied}: the user's roles do not grant the key (the only use of the code). */
        PERMISSION_DENIED(Status.Code.PERMISSION_DENIED, null),
        /**
         * {@code ErrGRPCLeaseNotFound}: the lease expired or was revoked (the only use of the code on a lease
         * call; jetcd's {@code keepAliveOnce} fails with it when etcd answers a TTL of 0).
         */
        LEASE_NOT_FOUND(Status.Code.NOT_FOUND, null);

        private final Status.Code code;
        /** The description etcd sends, or null when the code alone tells this error. */
        private final String description;

        Known(Status.Code code, String description) {
            this.code = code;
            this.description = description;
        }

        Status.Code code() {
            return code;
        }

        boolean matches(Status s) {
            return s.getCode() == code && (description == null || description.equals(s.getDescription()));
        }
    }

    /**
     * The gRPC statuses in the cause chain of {@code error}, outermost first: those of gRPC's exceptions
     * and, for jetcd's {@link EtcdException}, its error code with its message as the description.
     */
    static List<Status> statuses(Throwable error) {
        List<Status> out = new ArrayList<>();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StatusRuntimeException e) {
                out.add(e.getStatus());
            } else if (t instanceof StatusException e) {
                out.add(e.getStatus());
            } else if (t instanceof EtcdException e) {
                out.add(status(e));
            }
        }
        return out;
    }

    /** jetcd's {@link io.etcd.jetcd.common.exception.ErrorCode} names gRPC's codes one for one. */
    private static Status status(EtcdException e) {
        Status.Code code;
        try {
            code = Status.Code.valueOf(e.getErrorCode().name());
        } catch (IllegalArgumentException unknown) {
            code = Status.Code.UNKNOWN;
        }
        return Status.fromCode(code).withDescription(e.getMessage());
    }

    /** The first (outermost) {@link Known} error in the chain of {@code error}. */
    static Optional<Known> known(Throwable error) {
        for (Status s : statuses(error)) {
            for (Known k : Known.values()) {
                if (k.matches(s)) {
                    return Optional.of(k);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code error} is, or was caused by, {@code k}. */
    static boolean is(Throwable error, Known k) {
        return statuses(error).stream().anyMatch(k::matches);
    }

    /**
     * Whether the call failed without etcd saying why: our bound on the call was reached (a
     * {@link TimeoutException}) or gRPC had no connection ({@code UNAVAILABLE}: refused, TLS handshake
     * failed, etcd gone).
     */
    static boolean unanswered(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return statuses(error).stream().anyMatch(s -> s.getCode() == Status.Code.UNAVAILABLE);
    }
}
