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

    /** The symbolic name of an errno xenstored uses, else its number. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case XenstoreException.ENOENT -> "ENOENT";
            case XenstoreException.EIO -> "EIO";
            case 7 -> "E2BIG";
            case XenstoreException.EAGAIN -> "EAGAIN";
            case XenstoreException.EACCES -> "EACCES";
            case 16 -> "EBUSY";
            case XenstoreException.EEXIST -> "EEXIST";
            case 21 -> "EISDIR";
            case XenstoreException.EINVAL -> "EINVAL";
            case 28 -> "ENOSPC";
            case 30 -> "EROFS";
            case 32 -> "EPIPE";
            case 39 -> "ENOTEMPTY";
            case 104 -> "ECONNRESET";
            case 111 -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }
}
