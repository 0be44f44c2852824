package org.jitsu.backend.libvirt;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jitsu.backend.BackendException;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One backend's connection to libvirt, and the boundary every libvirt call crosses: calls run on the
 * backend's bounded scheduler, and {@link LibvirtException}s become {@link BackendException}s.
 *
 * <p>The connection is opened on first use (or by {@link org.jitsu.backend.Backend#ready()}). When it
 * is lost (a connection error code, or {@code virConnectIsAlive} false after a failure, or libvirt's
 * close callback after a keepalive timeout), it is dropped and re-opened on the timer with exponential
 * back-off; meanwhile calls fail at once with code {@value LibvirtErrors#CONNECTION_LOST}. After a
 * re-open, {@code onReopened} runs (on the backend's scheduler) so that the backend can re-read states.
 *
 * <p>Calls hold a read lock while they use a connection and closing one takes the write lock, so a
 * connection is never closed under a call that is still inside libvirt.
 */
final class LibvirtConnection {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnection.class);

    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** Unanswered keepalive messages before libvirt closes the connection. */
    static final int KEEPALIVE_COUNT = 5;

    /** A libvirt call; runs on the backend's scheduler. May return null for "no value". */
    @FunctionalInterface
    interface Call<T> {
        T apply(Connect connect) throws LibvirtException;
    }

    private final String backendName;
    private final LibvirtSettings settings;
    private final Scheduler libvirt;
    private final Scheduler timer;
    private final LifecycleListener listener;
    private final Runnable onReopened;
    private final ReadWriteLock inUse = new ReentrantReadWriteLock();

    private final Object lock = new Object();
    private Connect current; // guarded by lock
    private boolean lost; // guarded by lock: true while a re-open is pending
    private boolean closed; // guarded by lock
    private int failures; // guarded by lock
    private Disposable retry = () -> { }; // guarded by lock
    private long opens; // guarded by lock

    LibvirtConnection(String backendName, LibvirtSettings settings, Scheduler libvirt, Scheduler timer,
            LifecycleListener listener, Runnable onReopened) {
        this.backendName = backendName;
        this.onReopened = onReopened;
        this.settings = settings;
        this.libvirt = libvirt;
        this.timer = timer;
        this.listener = listener;
    }

    /** Runs {@code call} on the backend's scheduler; errors are {@link BackendException}s about {@code vmId}. */
    <T> Mono<T> call(String vmId, String operation, Call<T> call) {
        return Mono.fromCallable(() -> {
            Connect c;
            LibvirtException failure;
            boolean dead;
            inUse.readLock().lock();
            try {
                c = connection(vmId, operation);
                try {
                    return call.apply(c);
                } catch (LibvirtException e) {
                    failure = e;
                    dead = LibvirtErrors.isConnectionError(e) || !alive(c);
                }
            } finally {
                inUse.readLock().unlock();
            }
            if (dead) {
                markLost(c, failure.toString());
                throw new BackendException(vmId, LibvirtErrors.CONNECTION_LOST, operation + " failed: connection to "
                        + settings.uri() + " lost (" + LibvirtErrors.code(failure) + ")", failure);
            }
            throw LibvirtErrors.translate(vmId, operation, failure);
        }).subscribeOn(libvirt);
    }

    /** How many times a connection was opened (1 after the first use, +1 per re-open). */
    long opens() {
        synchronized (lock) {
            return opens;
        }
    }

    /** The open connection, if any: for tests that close it underneath the backend. */
    Optional<Connect> current() {
        synchronized (lock) {
            return Optional.ofNullable(current);
        }
    }

    /** Drops the connection; later calls fail with code {@code closed}. Runs the libvirt calls on the scheduler. */
    void close() {
        Connect c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            retry.dispose();
            c = current;
            current = null;
        }
        if (c != null) {
            libvirt.schedule(() -> dispose(c));
        }
    }

    private Connect connection(String vmId, String operation) {
        synchronized (lock) {
            if (closed) {
                throw new BackendException(vmId, "closed", operation + " failed: backend " + backendName + " is closed");
            }
            if (current != null) {
                return current;
            }
            if (lost) {
                throw new BackendException(vmId, LibvirtErrors.CONNECTION_LOST,
                        operation + " failed: connection to " + settings.uri() + " lost, re-opening");
            }
            try {
                // First use: concurrent first callers wait here for this one open.
                installed(open());
                return current;
            } catch (LibvirtException e) {
                lost = true;
                scheduleRetry();
                throw LibvirtErrors.translate(vmId, "connect to " + settings.uri(), e);
            }
        }
    }

    /** Called with the lock held. */
    private void installed(Connect c) {
        current = c;
        opens++;
        failures = 0;
        lost = false;
        LOG.info("backend {}: connected to {}", backendName, settings.uri());
    }

    /** Opens a connection and registers the event listener (and keepalive and close callback when remote). */
    private Connect open() throws LibvirtException {
        LibvirtRuntime.ensureStarted();
        Connect c = new Connect(settings.uri(), false);
        try {
            c.addLifecycleListener(listener);
        } catch (LibvirtException e) {
            disposeNow(c); // never used by anyone else
            throw e;
        }
        if (settings.remote()) {
            try {
                c.setKeepAlive((int) settings.keepalive().toSeconds(), KEEPALIVE_COUNT);
            } catch (LibvirtException e) {
                LOG.debug("backend {}: keepalive not available on {}: {}", backendName, settings.uri(), LibvirtErrors.code(e));
            }
            try {
                c.registerCloseListener((conn, reason) -> onClosedByLibvirt(c, String.valueOf(reason)));
            } catch (LibvirtException e) {
                LOG.debug("backend {}: no close callback on {}: {}", backendName, settings.uri(), LibvirtErrors.code(e));
            }
        }
        return c;
    }

    /** On the event loop thread (keepalive timeout, EOF): never block here. */
    private void onClosedByLibvirt(Connect c, String reason) {
        try {
            libvirt.schedule(() -> markLost(c, "closed by libvirt: " + reason));
        } catch (RuntimeException e) {
            LOG.debug("backend {}: connection closed ({}) while shutting down", backendName, reason);
        }
    }

    private boolean alive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException | RuntimeException e) {
            return false;
        }
    }

    private void markLost(Connect c, String why) {
        synchronized (lock) {
            if (closed || current != c) {
                return; // already handled
            }
            current = null;
            lost = true;
            LOG.warn("backend {}: connection to {} lost ({}); re-opening", backendName, settings.uri(), why);
            scheduleRetry();
        }
        dispose(c);
    }

    /** Called with the lock held. */
    private void scheduleRetry() {
        long factor = 1L << Math.min(failures, 20);
        Duration delay = FIRST_RETRY.multipliedBy(factor);
        if (delay.compareTo(MAX_RETRY) > 0) {
            delay = MAX_RETRY;
        }
        failures++;
        retry = Mono.delay(delay, timer)
                .publishOn(libvirt)
                .subscribe(t -> reopen(), e -> LOG.error("backend {}: re-open task failed: {}", backendName, e.toString()));
    }

    /** Re-opens outside the lock, so that calls keep failing fast while libvirt connects. */
    private void reopen() {
        synchronized (lock) {
            if (closed || current != null) {
                return;
            }
        }
        Connect c;
        try {
            c = open();
        } catch (LibvirtException e) {
            LOG.warn("backend {}: re-opening {} failed ({}); retrying", backendName, settings.uri(), LibvirtErrors.code(e));
            synchronized (lock) {
                if (!closed) {
                    scheduleRetry();
                }
            }
            return;
        }
        synchronized (lock) {
            if (closed || current != null) {
                disposeNow(c); // nobody else has seen it
                return;
            }
            installed(c);
        }
        onReopened.run();
    }

    /** Best effort: the connection may already be dead. Waits for calls still using it. */
    private void dispose(Connect c) {
        inUse.writeLock().lock();
        try {
            disposeNow(c);
        } finally {
            inUse.writeLock().unlock();
        }
    }

    private void disposeNow(Connect c) {
        try {
            c.removeLifecycleListener(listener);
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("backend {}: removing the event listener failed: {}", backendName, e.toString());
        }
        try {
            c.close();
        } catch (LibvirtException | RuntimeException e) {
            LOG.debug("backend {}: closing the connection failed: {}", backendName, e.toString());
        }
    }
}
