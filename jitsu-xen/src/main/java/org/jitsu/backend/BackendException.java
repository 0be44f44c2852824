package org.jitsu.backend;

/**
 * A backend operation failed. Carries the VM and a backend-specific error code so that callers can
 * log and count failures without parsing messages.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String vmId;
    private final String code;

    public BackendException(String vmId, String code, String message, Throwable cause) {
        super(vmId + ": " + message, cause);
        this.vmId = vmId;
        this.code = code;
    }

    public BackendException(String vmId, String code, String message) {
        this(vmId, code, message, null);
    }

    /** The VM the operation was about. */
    public String vmId() {
        return vmId;
    }

    /** A short, stable error code ("spawn-failed", "VIR_ERR_NO_DOMAIN", ...). */
    public String code() {
        return code;
    }
}
