package org.jitsu.backend.xenstore;

/**
 * A Xenstore call that failed: the operation, the path and the errno xenstored answered with
 * ({@code ENOENT}, {@code EACCES}, {@code EAGAIN}...), or the connection that could not be made.
 */
public final class XenstoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Linux errno values xenstored answers with (its error strings map to these). */
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;

    private final int errno;

    public XenstoreException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public XenstoreException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The errno of the failure, 0 when there was none (a library that is not installed, say). */
    public int errno() {
        return errno;
    }

    /** A conflicting transaction: it may succeed when run again. */
    public boolean retryable() {
        return errno == EAGAIN;
    }
}
