package org.jitsu.backend.xenstore;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One connection to xenstored through {@code libxenstore} (its Unix socket: {@code XENSTORED_PATH},
 * default {@code /var/run/xenstored/socket}). Every call is a blocking round trip: run them on a
 * bounded scheduler, never on an event loop. The library's handle is thread-safe, so one thread may
 * wait in {@link #readWatch()} while others read and write. Closed once, by {@link #close()}.
 *
 * <p>Over 400 lines because it is the one place that calls the library: every call with its lock
 * against a concurrent close, its errno mapping and the free of what the library returned.
 */
public final class Xenstore implements AutoCloseable {
    /** How often a transaction that met a concurrent writer ({@code EAGAIN}) is run again. */
    public static final int TRANSACTION_ATTEMPTS = 10;
    /** How long {@link #close()} waits for calls in flight before it leaves the handle to the process's exit. */
    static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(1);

    private final XsLibrary lib;
    private final Pointer handle;
    private volatile boolean closed;
    private final java.util.concurrent.locks.ReentrantReadWriteLock inUse = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private Xenstore(XsLibrary lib, Pointer handle) {
        this.lib = lib;
        this.handle = handle;
    }

    /**
     * Connects to xenstored's socket.
     *
     * @throws XenstoreException when the library is not installed or nothing listens on the socket
     */
    public static Xenstore open() {
        XsLibrary lib;
        try {
            lib = XsLibrary.get();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new XenstoreException("libxenstore is not installed (Debian package libxenstore4): " + e.getMessage(), 0, e);
        }
        try {
            Pointer h = lib.xs_open(XsLibrary.XS_OPEN_SOCKETONLY);
            if (h == null) {
                throw new XenstoreException("cannot connect to xenstored at " + socketPath(), XenstoreException.EIO);
            }
            return new Xenstore(lib, h);
        } catch (LastErrorException e) {
            throw new XenstoreException("cannot connect to xenstored at " + socketPath() + ": errno "
                    + e.getErrorCode(), e.getErrorCode(), e);
        }
    }

    /** The socket libxenstore connects to: {@code XENSTORED_PATH}, else its default. */
    public static String socketPath() {
        String env = System.getenv("XENSTORED_PATH");
        return env != null ? env : "/var/run/xenstored/socket";
    }

    /** The value of {@code path}, empty when it does not exist. */
    public Optional<String> read(String path) {
        return read(XsLibrary.XBT_NULL, path);
    }

    /** Writes {@code value} at {@code path}, making its parents. */
    public void write(String path, String value) {
        write(XsLibrary.XBT_NULL, path, value);
    }

    /** Removes {@code path} and everything below it; nothing when it does not exist. */
    public void rm(String path) {
        rm(XsLibrary.XBT_NULL, path);
    }

    /** The names of {@code path}'s children, empty when it has none or does not exist. */
    public List<String> directory(String path) {
        return directory(XsLibrary.XBT_NULL, path);
    }

    /**
     * Sets {@code path}'s permissions: the first entry is the owner's and applies to every domain the
     * others do not name ({@code Permission.of(0, NONE)} then {@code Permission.of(5, READ)}: dom0
     * owns it, domain 5 may read it, nobody else).
     */
    public void setPermissions(String path, List<Permission> permissions) {
        setPermissions(XsLibrary.XBT_NULL, path, permissions);
    }

    /** {@code path}'s permissions, owner first. */
    public List<Permission> permissions(String path) {
        return call(() -> {
            IntByReference n = new IntByReference();
            Pointer p;
            try {
                p = lib.xs_get_permissions(handle, XsLibrary.XBT_NULL, path, n);
            } catch (LastErrorException e) {
                throw failure("get permissions of", path, e);
            }
            if (p == null) {
                throw new XenstoreException("get permissions of " + path + ": failed", XenstoreException.EIO);
            }
            try {
                List<Permission> out = new ArrayList<>();
                for (int i = 0; i < n.getValue(); i++) {
                    int id = p.getInt(8L * i);
                    int perms = p.getInt(8L * i + 4);
                    out.add(new Permission(id, Permission.Access.of(perms)));
                }
                return out;
            } finally {
                Native.free(Pointer.nativeValue(p));
            }
        });
    }

    /**
     * Runs {@code body} in a transaction and commits it; when xenstored answers {@code EAGAIN} (another
     * writer touched what it read), runs it again, up to {@link #TRANSACTION_ATTEMPTS} times. A body
     * that throws aborts the transaction.
     */
    public <T> T transaction(Function<Transaction, T> body) {
        return call(() -> transactionLoop(body));
    }

    private <T> T transactionLoop(Function<Transaction, T> body) {
        XenstoreException last = null;
        for (int attempt = 0; attempt < TRANSACTION_ATTEMPTS; attempt++) {
            int t;
            try {
                t = lib.xs_transaction_start(handle);
            } catch (LastErrorException e) {
                throw failure("start a transaction for", "/", e);
            }
            if (t == XsLibrary.XBT_NULL) {
                throw new XenstoreException("start a transaction: failed", XenstoreException.EIO);
            }
            T result;
            try {
                result = body.apply(new Transaction(t));
            } catch (RuntimeException e) {
                end(t, true);
                throw e;
            }
            try {
                end(t, false);
                return result;
            } catch (XenstoreException e) {
                if (!e.retryable()) {
                    throw e;
                }
                last = e;
            }
        }
        throw new XenstoreException("transaction still conflicting after " + TRANSACTION_ATTEMPTS + " attempts",
                XenstoreException.EAGAIN, last);
    }

    /** Watches {@code path} and everything below it; xenstored fires once at once, then on each change. */
    public void watch(String path, String token) {
        call(() -> {
            try {
                check(lib.xs_watch(handle, path, token), "watch", path);
            } catch (LastErrorException e) {
                throw failure("watch", path, e);
            }
            return null;
        });
    }

    public void unwatch(String path, String token) {
        call(() -> {
            try {
                check(lib.xs_unwatch(handle, path, token), "unwatch", path);
            } catch (LastErrorException e) {
                throw failure("unwatch", path, e);
            }
            return null;
        });
    }

    /**
     * Waits for the next watch event of this connection. Throws when the connection is lost; a
     * {@link #close()} from another thread waits until this returns.
     */
    public WatchEvent readWatch() {
        return call(() -> {
            IntByReference n = new IntByReference();
            Pointer p;
            try {
                p = lib.xs_read_watch(handle, n);
            } catch (LastErrorException e) {
                throw failure("read a watch event on", socketPath(), e);
            }
            if (p == null) {
                throw new XenstoreException("read a watch event: the connection ended", XenstoreException.EIO);
            }
            try {
                String[] strings = p.getStringArray(0, n.getValue(), StandardCharsets.UTF_8.name());
                return new WatchEvent(strings[XsLibrary.XS_WATCH_PATH], strings[XsLibrary.XS_WATCH_TOKEN]);
            } finally {
                Native.free(Pointer.nativeValue(p));
            }
        });
    }

    /**
     * Closes the connection. Calls in flight on other threads finish first: the library's handle is
     * freed only when no call uses it, since freeing it under a waiting call is undefined behaviour in
     * libxenstore; after {@link #CLOSE_WAIT} the handle is left unfreed instead. New calls fail at once.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean free;
        try {
            free = inUse.writeLock().tryLock(CLOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            free = false;
        }
        if (!free) {
            // a call still waits inside the library (on a connection whose daemon went away, a reply
            // may never come): freeing the handle under it would crash the process; leaving it costs
            // one handle until the process exits
            org.slf4j.LoggerFactory.getLogger(Xenstore.class).warn("xenstore: a call still waits on a closed"
                    + " connection after {} ms; its handle is left, not freed", CLOSE_WAIT.toMillis());
            return;
        }
        try {
            lib.xs_close(handle);
        } finally {
            inUse.writeLock().unlock();
        }
    }

    /** Runs {@code body} (library calls) while the handle cannot be freed; fails when closed. */
    private <T> T call(java.util.function.Supplier<T> body) {
        inUse.readLock().lock();
        try {
            ensureOpen();
            return body.get();
        } finally {
            inUse.readLock().unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** A watch that fired: the path that changed (or the watched one, for the first event) and the token. */
    public record WatchEvent(String path, String token) {
    }

    /** One entry of a node's permissions: a domain id and what it may do. */
    public record Permission(int domain, Access access) {
        public Permission {
            Objects.requireNonNull(access, "access");
        }

        public static Permission of(int domain, Access access) {
            return new Permission(domain, access);
        }

        /** {@code enum xs_perm_type}'s NONE, READ, WRITE and READ|WRITE ("n", "r", "w", "b" on the wire). */
        public enum Access {
            NONE(XsLibrary.XS_PERM_NONE), READ(XsLibrary.XS_PERM_READ), WRITE(XsLibrary.XS_PERM_WRITE),
            BOTH(XsLibrary.XS_PERM_READ | XsLibrary.XS_PERM_WRITE);

            final int bits;

            Access(int bits) {
                this.bits = bits;
            }

            static Access of(int bits) {
                int rw = bits & (XsLibrary.XS_PERM_READ | XsLibrary.XS_PERM_WRITE);
                for (Access a : values()) {
                    if (a.bits == rw) {
                        return a;
                    }
                }
                return NONE;
            }
        }
    }

    /** The calls of one transaction; valid inside {@link #transaction}'s body only. */
    public final class Transaction {
        private final int id;

        private Transaction(int id) {
            this.id = id;
        }

        public Optional<String> read(String path) {
            return Xenstore.this.read(id, path);
        }

        public void write(String path, String value) {
            Xenstore.this.write(id, path, value);
        }

        public void rm(String path) {
            Xenstore.this.rm(id, path);
        }

        public List<String> directory(String path) {
            return Xenstore.this.directory(id, path);
        }

        public void setPermissions(String path, List<Permission> permissions) {
            Xenstore.this.setPermissions(id, path, permissions);
        }
    }

    // ---- the calls, with or without a transaction

    private Optional<String> read(int t, String path) {
        return call(() -> {
            IntByReference len = new IntByReference();
            Pointer p;
            try {
                p = lib.xs_read(handle, t, path, len);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == XenstoreException.ENOENT) {
                    return Optional.empty();
                }
                throw failure("read", path, e);
            }
            if (p == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(new String(p.getByteArray(0, len.getValue()), StandardCharsets.UTF_8));
            } finally {
                Native.free(Pointer.nativeValue(p));
            }
        });
    }

    private void write(int t, String path, String value) {
        call(() -> {
            byte[] data = value.getBytes(StandardCharsets.UTF_8);
            try {
                check(lib.xs_write(handle, t, path, data, data.length), "write", path);
            } catch (LastErrorException e) {
                throw failure("write", path, e);
            }
            return null;
        });
    }

    private void rm(int t, String path) {
        call(() -> {
            try {
                check(lib.xs_rm(handle, t, path), "rm", path);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != XenstoreException.ENOENT) {
                    throw failure("rm", path, e);
                }
            }
            return null;
        });
    }

    private List<String> directory(int t, String path) {
        return call(() -> {
            IntByReference n = new IntByReference();
            Pointer p;
            try {
                p = lib.xs_directory(handle, t, path, n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == XenstoreException.ENOENT) {
                    return List.of();
                }
                throw failure("list", path, e);
            }
            if (p == null) {
                return List.of();
            }
            try {
                return List.of(p.getStringArray(0, n.getValue(), StandardCharsets.UTF_8.name()));
            } finally {
                Native.free(Pointer.nativeValue(p));
            }
        });
    }

    private void setPermissions(int t, String path, List<Permission> permissions) {
        call(() -> {
            if (permissions.isEmpty()) {
                throw new IllegalArgumentException("permissions of " + path + ": at least the owner's");
            }
            XsLibrary.XsPermissions[] array = (XsLibrary.XsPermissions[]) new XsLibrary.XsPermissions().toArray(permissions.size());
            for (int i = 0; i < array.length; i++) {
                array[i].id = permissions.get(i).domain();
                array[i].perms = permissions.get(i).access().bits;
            }
            try {
                check(lib.xs_set_permissions(handle, t, path, array, array.length), "set permissions of", path);
            } catch (LastErrorException e) {
                throw failure("set permissions of", path, e);
            }
            return null;
        });
    }

    private void end(int t, boolean abort) {
        try {
            check(lib.xs_transaction_end(handle, t, (byte) (abort ? 1 : 0)), abort ? "abort" : "commit", "transaction " + t);
        } catch (LastErrorException e) {
            throw failure(abort ? "abort" : "commit", "transaction " + t, e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new XenstoreException("xenstore connection closed", XenstoreException.EIO);
        }
    }

    private static void check(byte ok, String op, String path) {
        if (ok == 0) {
            throw new XenstoreException(op + " " + path + ": failed", XenstoreException.EIO);
        }
    }

    private static XenstoreException failure(String op, String path, LastErrorException e) {
        return new XenstoreException(op + " " + path + ": " + XenstoreException.errnoName(e.getErrorCode()), e.getErrorCode(), e);
    }
}
