package org.jitsu.backend.xenstore;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;

/**
 * Debian's {@code libxenstore} ({@code libxenstore.so.4}, package {@code libxenstore4}) through JNA:
 * the calls of {@code xenstore.h} Jitsu uses, as they are declared there. C {@code bool} results are
 * one byte (JNA's {@code boolean} would read a whole register); a failed call sets {@code errno},
 * which JNA turns into a {@link LastErrorException}. Strings and arrays the library returns are
 * {@code malloc}ed: the caller frees them ({@link Native#free}). Blocking: every call is a round trip
 * to xenstored, and {@link #xs_read_watch} waits for an event.
 */
interface XsLibrary extends Library {
    /** {@code XS_OPEN_SOCKETONLY}: the daemon's Unix socket ({@code XENSTORED_PATH}), never the xenbus device. */
    long XS_OPEN_SOCKETONLY = 1L;
    /** {@code XBT_NULL}: no transaction. */
    int XBT_NULL = 0;
    /** Index of the path and of the token in what {@link #xs_read_watch} returns. */
    int XS_WATCH_PATH = 0;
    int XS_WATCH_TOKEN = 1;

    /** {@code enum xs_perm_type}. */
    int XS_PERM_NONE = 0;
    int XS_PERM_READ = 1;
    int XS_PERM_WRITE = 2;

    /** {@code struct xs_permissions { unsigned int id; enum xs_perm_type perms; }}. */
    @Structure.FieldOrder({"id", "perms"})
    class XsPermissions extends Structure {
        public int id;
        public int perms;
    }

    Pointer xs_open(long flags) throws LastErrorException;

    void xs_close(Pointer h);

    /** The value of {@code path} (malloc'd, {@code len} bytes plus a NUL), or null with errno. */
    Pointer xs_read(Pointer h, int t, String path, IntByReference len) throws LastErrorException;

    byte xs_write(Pointer h, int t, String path, byte[] data, int len) throws LastErrorException;

    byte xs_mkdir(Pointer h, int t, String path) throws LastErrorException;

    byte xs_rm(Pointer h, int t, String path) throws LastErrorException;

    /** The children of {@code path}: one malloc'd block, an array of {@code num} strings. */
    Pointer xs_directory(Pointer h, int t, String path, IntByReference num) throws LastErrorException;

    byte xs_set_permissions(Pointer h, int t, String path, XsPermissions[] perms, int num) throws LastErrorException;

    Pointer xs_get_permissions(Pointer h, int t, String path, IntByReference num) throws LastErrorException;

    byte xs_watch(Pointer h, String path, String token) throws LastErrorException;

    byte xs_unwatch(Pointer h, String path, String token) throws LastErrorException;

    /** Blocks until a watch fires: one malloc'd block, {@code num} strings (path, token). */
    Pointer xs_read_watch(Pointer h, IntByReference num) throws LastErrorException;

    int xs_fileno(Pointer h) throws LastErrorException;

    /** A transaction id, or {@link #XBT_NULL} with errno. */
    int xs_transaction_start(Pointer h) throws LastErrorException;

    /** Commits ({@code abort} 0) or aborts; fails with {@code EAGAIN} when another writer came between. */
    byte xs_transaction_end(Pointer h, int t, byte abort) throws LastErrorException;

    /** The library, loaded on first use; throws {@link UnsatisfiedLinkError} when it is not installed. */
    static XsLibrary get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: JNA loads libxenstore the first time Xenstore is opened. */
    final class Holder {
        static final XsLibrary INSTANCE = Native.load("xenstore", XsLibrary.class);

        private Holder() {
        }
    }
}
