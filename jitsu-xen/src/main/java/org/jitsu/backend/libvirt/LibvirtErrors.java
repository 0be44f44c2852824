package org.jitsu.backend.libvirt;

import java.util.Set;
import org.jitsu.backend.BackendException;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** Translates libvirt errors into {@link BackendException}s at the backend's boundary. */
final class LibvirtErrors {
    /** Code of the exception raised while the connection is down and being re-opened. */
    static final String CONNECTION_LOST = "connection-lost";
    /** Code used when libvirt reported a failure without an error object. */
    static final String UNKNOWN = "VIR_ERR_UNKNOWN";

    /** Codes that mean the connection itself is unusable, not just the operation. */
    private static final Set<Error.ErrorNumber> CONNECTION_CODES = Set.of(
            Error.ErrorNumber.VIR_ERR_INVALID_CONN,
            Error.ErrorNumber.VIR_ERR_NO_CONNECT,
            Error.ErrorNumber.VIR_ERR_RPC);

    private LibvirtErrors() {
    }

    /** libvirt's name for the error code, e.g. {@code VIR_ERR_NO_DOMAIN}. */
    static String code(LibvirtException e) {
        Error error = e.getError();
        if (error == null || error.getCode() == null) {
            return UNKNOWN;
        }
        return error.getCode().name();
    }

    static boolean isNoDomain(LibvirtException e) {
        return is(e, Error.ErrorNumber.VIR_ERR_NO_DOMAIN);
    }

    /** A malformed argument, such as a UUID that is not one. */
    static boolean isInvalidArgument(LibvirtException e) {
        return is(e, Error.ErrorNumber.VIR_ERR_INVALID_ARG);
    }

    static boolean isOperationInvalid(LibvirtException e) {
        return is(e, Error.ErrorNumber.VIR_ERR_OPERATION_INVALID);
    }

    static boolean isConnectionError(LibvirtException e) {
        Error error = e.getError();
        return error != null && CONNECTION_CODES.contains(error.getCode());
    }

    static BackendException translate(String vmId, String operation, LibvirtException e) {
        Error error = e.getError();
        String message = error == null || error.getMessage() == null ? String.valueOf(e.getMessage()) : error.getMessage();
        return new BackendException(vmId, code(e), operation + " failed: " + message, e);
    }

    private static boolean is(LibvirtException e, Error.ErrorNumber code) {
        Error error = e.getError();
        return error != null && error.getCode() == code;
    }
}
