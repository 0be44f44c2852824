package org.jitsu.backend.xenstore;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Waits for Xenstore keys by watch, not by polling: {@link #awaitValue} sets a watch on the key and
 * reads it each time the watch fires (xenstored fires once when the watch is set, so a key written
 * before the wait began is seen too), until its value is accepted. Calls run on a bounded scheduler of
 * this watcher's own; one thread of its own waits for watch events, so no event loop ever blocks on
 * Xenstore.
 *
 * <p>When the connection is lost (xenstored restarts), the event thread connects again, with a back-off
 * from 50 ms doubling to 1 s for up to {@link #RECONNECT_WINDOW}, and sets every pending watch again:
 * their first events re-read the keys, so a key written while the daemon was away is not missed. If it
 * cannot connect within that window, every pending wait fails with the reason, and the next wait
 * tries again from the start.
 */
public final class XenstoreWatcher implements AutoCloseable {
    /** How long the event thread tries to connect again after the connection is lost. */
    public static final Duration RECONNECT_WINDOW = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(XenstoreWatcher.class);
    private static final Object SHARED_LOCK = new Object();
    private static XenstoreWatcher shared;

    private final Scheduler calls;
    private final boolean ownsCalls;
    private final Map<String, Waiter> waiters = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final Object connectLock = new Object();
    private volatile Xenstore xs;
    private boolean reconnecting; // under connectLock: the event thread sets every pending watch when back
    private Thread events;
    private volatile boolean closed;

    private final class Waiter {
        final String path;
        final Predicate<String> accept;
        final MonoSink<String> sink;
        final String token;
        final AtomicBoolean watched = new AtomicBoolean();

        Waiter(String path, Predicate<String> accept, MonoSink<String> sink, String token) {
            this.path = path;
            this.accept = accept;
            this.sink = sink;
            this.token = token;
        }
    }

    /** A watcher whose calls run on {@code calls} (bounded: they block on the daemon's answers). */
    public XenstoreWatcher(Scheduler calls) {
        this(calls, false);
    }

    private XenstoreWatcher(Scheduler calls, boolean ownsCalls) {
        this.calls = calls;
        this.ownsCalls = ownsCalls;
    }

    /** The process's watcher for readiness checks: made on first use, on 4 threads of its own. */
    public static XenstoreWatcher shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null || shared.closed) {
                shared = new XenstoreWatcher(Schedulers.newBoundedElastic(4, 10_000, "jitsu-xenstore", 60, true), true);
            }
            return shared;
        }
    }

    /**
     * Completes with the value of {@code path} once it exists and {@code accept} takes it; never
     * completes otherwise (bound it with a timeout). Errors with {@link XenstoreException} when
     * xenstored cannot be reached. Cancelling removes the watch.
     */
    public Mono<String> awaitValue(String path, Predicate<String> accept) {
        return Mono.create(sink -> {
            String token = "jitsu-" + tokens.incrementAndGet();
            Waiter w = new Waiter(path, accept, sink, token);
            waiters.put(token, w);
            sink.onDispose(() -> {
                waiters.remove(token);
                if (!closed && w.watched.get()) {
                    unwatchLater(w);
                }
            });
            calls.schedule(() -> setWatch(w));
        });
    }

    /** Sets {@code w}'s watch on the current connection, unless the event thread is reconnecting (it sets it then). */
    private void setWatch(Waiter w) {
        Xenstore c = null;
        try {
            synchronized (connectLock) {
                if (reconnecting) {
                    return; // the event thread sets every pending watch once it is back, this one too
                }
                c = connection();
            }
            if (w.watched.compareAndSet(false, true)) {
                c.watch(w.path, w.token); // its first event reads the key
            }
        } catch (XenstoreException e) {
            if (c != null && broken(c)) {
                // the daemon went away under this call: the event thread connects again and sets the
                // pending watches, this one too; if it already has, set it on the new connection
                w.watched.set(false); // the library wakes the event thread's wait with the connection's end
                boolean retry;
                synchronized (connectLock) {
                    retry = !reconnecting && xs != null && xs != c;
                }
                if (retry && waiters.containsKey(w.token)) {
                    calls.schedule(() -> setWatch(w));
                }
                return;
            }
            if (waiters.remove(w.token) != null) {
                w.sink.error(e); // the daemon refused the watch itself (a path it does not allow, say)
            }
        }
    }

    /** True when {@code c} no longer answers (a read of the root fails): its failures are the connection's. */
    private static boolean broken(Xenstore c) {
        if (c.isClosed()) {
            return true;
        }
        try {
            c.read("/");
            return false;
        } catch (XenstoreException e) {
            return true;
        }
    }

    /**
     * Fails the pending waits and stops the watcher. The connection is closed when no event thread
     * waits on it; otherwise that thread closes it when its wait ends (libxenstore cannot free a handle
     * under a waiting call), or the process's exit does.
     */
    @Override
    public void close() {
        closed = true;
        Xenstore c = xs;
        Thread t = events;
        if (c != null && (t == null || !t.isAlive())) {
            c.close();
        }
        for (Waiter w : waiters.values()) {
            w.sink.error(new XenstoreException("xenstore watcher closed", XenstoreException.EIO));
        }
        waiters.clear();
        if (ownsCalls) {
            calls.dispose();
        }
    }

    private void unwatchLater(Waiter w) {
        calls.schedule(() -> {
            Xenstore c = xs;
            if (c != null && !c.isClosed()) {
                try {
                    c.unwatch(w.path, w.token);
                } catch (XenstoreException e) {
                    LOG.debug("unwatch {}: {}", w.path, e.getMessage());
                }
            }
        });
    }

    /** The connection, opened (with its event thread) when there is none. */
    private Xenstore connection() {
        synchronized (connectLock) {
            if (closed) {
                throw new XenstoreException("xenstore watcher closed", XenstoreException.EIO);
            }
            Xenstore c = xs;
            if (c == null) { // none yet, or the event thread gave up reconnecting: it owns reconnection otherwise
                c = Xenstore.open();
                xs = c;
                Xenstore opened = c;
                events = new Thread(() -> readEvents(opened), "jitsu-xenstore-watch");
                events.setDaemon(true);
                events.start();
            }
            return c;
        }
    }

    private void readEvents(Xenstore c) {
        try {
            readEventsUntilClosed(c);
        } finally {
            if (closed) {
                Xenstore last = xs;
                if (last != null) {
                    last.close();
                }
            }
        }
    }

    private void readEventsUntilClosed(Xenstore c) {
        while (!closed) {
            Xenstore.WatchEvent ev;
            try {
                ev = c.readWatch();
            } catch (XenstoreException e) {
                if (closed) {
                    return;
                }
                c = reconnect(c, e);
                if (c == null) {
                    return; // the waits failed; the next one connects afresh
                }
                continue;
            }
            Waiter w = waiters.get(ev.token());
            if (w != null) {
                Xenstore current = c;
                calls.schedule(() -> check(current, w));
            }
        }
    }

    private void check(Xenstore c, Waiter w) {
        if (!waiters.containsKey(w.token)) {
            return;
        }
        Optional<String> value;
        try {
            value = c.read(w.path);
        } catch (XenstoreException e) {
            return; // the connection went: the event thread reconnects and re-watches
        }
        if (value.isPresent() && w.accept.test(value.get()) && waiters.remove(w.token) != null) {
            w.sink.success(value.get());
        }
    }

    /** Connects again and sets every pending watch again; null (every wait failed) when it cannot. */
    private Xenstore reconnect(Xenstore lost, XenstoreException cause) {
        synchronized (connectLock) {
            reconnecting = true;
        }
        lost.close();
        LOG.warn("xenstore: connection to {} lost ({}); connecting again", Xenstore.socketPath(), cause.getMessage());
        for (Waiter w : waiters.values()) {
            w.watched.set(false); // the lost connection's watches are gone with it
        }
        long deadline = System.nanoTime() + RECONNECT_WINDOW.toNanos();
        long backoff = Duration.ofMillis(50).toNanos();
        XenstoreException last = cause;
        while (!closed && System.nanoTime() < deadline) {
            LockSupport.parkNanos(backoff); // this thread's own back-off: nothing else waits on it
            backoff = Math.min(backoff * 2, Duration.ofSeconds(1).toNanos());
            Xenstore c = null;
            try {
                c = Xenstore.open();
                synchronized (connectLock) {
                    if (closed) {
                        c.close();
                        return null;
                    }
                    xs = c;
                    reconnecting = false;
                }
                int set = 0;
                for (Waiter w : waiters.values()) {
                    if (w.watched.compareAndSet(false, true)) {
                        c.watch(w.path, w.token);
                        set++;
                    }
                }
                LOG.info("xenstore: connected again; {} watches set again", set);
                return c;
            } catch (XenstoreException e) {
                last = e;
                if (c != null) {
                    c.close(); // lost again while the watches were set: start over
                    for (Waiter w : waiters.values()) {
                        w.watched.set(false);
                    }
                    synchronized (connectLock) {
                        reconnecting = true;
                    }
                }
            }
        }
        synchronized (connectLock) {
            xs = null;
            reconnecting = false;
        }
        XenstoreException failure = new XenstoreException("xenstore connection lost and not back within "
                + RECONNECT_WINDOW.toSeconds() + " s: " + last.getMessage(), last.errno(), last);
        for (Waiter w : waiters.values()) {
            if (waiters.remove(w.token) != null) {
                w.sink.error(failure);
            }
        }
        LOG.error("{}", failure.getMessage());
        return null;
    }
}
