package org.jitsu.server;

/**
 * The server could not start although its config is valid: a backend was not ready, a listener could
 * not be bound (port in use), or a start step timed out. The message is one line for operators.
 */
public final class JitsuStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean bindFailure;

    /**
     * @param message one line for operators
     * @param bindFailure true when a DNS listener could not be bound
     */
    public JitsuStartException(String message, Throwable cause, boolean bindFailure) {
        super(message, cause);
        this.bindFailure = bindFailure;
    }

    /** True when a DNS listener could not be bound (typically: the port is in use). */
    public boolean isBindFailure() {
        return bindFailure;
    }
}
