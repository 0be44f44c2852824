package org.jitsu.server.proxy;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jitsu.server.core.ServiceTraffic;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The front's record of its connections, per service: how many are open and held, their bytes, when
 * each last carried data. It is the core's {@link ServiceTraffic}: the idle check asks it whether a
 * service still has active connections, and a stop drains them. Built before the core (the core
 * needs it), filled by the {@link FrontProxy}'s handlers. Thread-safe; nothing here blocks.
 */
public final class ConnectionBook implements ServiceTraffic {
    static final long LOG_PERIOD_MILLIS = 10_000;

    private final Map<String, Ledger> ledgers;
    private final Scheduler timer;
    private final int maxHeldTotal;
    private final AtomicInteger heldTotal = new AtomicInteger();

    /**
     * @param holds the services with a hold, by id
     * @param timer the core's timer: the clock of "last data" and of drain periods (virtual in tests)
     */
    public ConnectionBook(Map<String, HoldSettings> holds, ProxySettings settings, Scheduler timer) {
        Map<String, Ledger> m = new LinkedHashMap<>();
        holds.forEach((id, hold) -> m.put(id, new Ledger(id, hold)));
        this.ledgers = Map.copyOf(m);
        this.timer = timer;
        this.maxHeldTotal = settings.maxHeld();
    }

    /** The ledger of one service with a hold. */
    public Optional<Ledger> ledger(String serviceId) {
        return Optional.ofNullable(ledgers.get(serviceId));
    }

    /** Every service's ledger. */
    public Collection<Ledger> ledgers() {
        return ledgers.values();
    }

    /** Connections held over all services now. */
    public int heldTotal() {
        return heldTotal.get();
    }

    long now() {
        return timer.now(TimeUnit.MILLISECONDS);
    }

    @Override
    public long lastTraffic(String serviceId, long now) {
        Ledger l = ledgers.get(serviceId);
        return l == null ? Long.MIN_VALUE : l.lastTraffic(now);
    }

    @Override
    public Mono<Void> drain(String serviceId) {
        Ledger l = ledgers.get(serviceId);
        return l == null ? Mono.empty() : l.drain(timer);
    }

    /**
     * Takes a place for a connection that must wait for the boot: false when this service's bound or the
     * overall bound is reached (the caller resets the connection). Give it back with {@link Ledger#unhold}.
     */
    boolean hold(Ledger l) {
        if (heldTotal.incrementAndGet() > maxHeldTotal) {
            heldTotal.decrementAndGet();
            return false;
        }
        if (l.held.incrementAndGet() > l.hold.maxHeld()) {
            l.held.decrementAndGet();
            heldTotal.decrementAndGet();
            return false;
        }
        return true;
    }

    void unhold(Ledger l) {
        l.held.decrementAndGet();
        heldTotal.decrementAndGet();
    }

    /** One service's connections. */
    public static final class Ledger {
        private final String id;
        private final HoldSettings hold;
        private final long activeMillis;
        private final ReleaseWindow window;
        private final Set<Connection> open = ConcurrentHashMap.newKeySet();
        private final AtomicInteger held = new AtomicInteger();
        private final AtomicInteger spliced = new AtomicInteger();
        private final LongAdder bytesToService = new LongAdder();
        private final LongAdder bytesToClient = new LongAdder();
        private final LongAdder accepted = new LongAdder();
        /** The last data of connections already closed. */
        private volatile long lastClosed = Long.MIN_VALUE;
        /** Completed when the last open connection closes, while a drain waits; null otherwise. */
        private volatile Sinks.Empty<Void> drained;
        /** The last boot failure logged (one line per failure, however many connections it resets). */
        volatile Throwable lastLogged;
        /** When a connect failure was last logged (at most one line per {@link #LOG_PERIOD_MILLIS}). */
        private volatile long lastConnectLog = Long.MIN_VALUE;

        Ledger(String id, HoldSettings hold) {
            this.id = id;
            this.hold = hold;
            this.activeMillis = hold.activeWithin().toMillis();
            this.window = new ReleaseWindow(hold.releaseWindow());
        }

        /** The window through which held connections reach the service once it is ready. */
        ReleaseWindow window() {
            return window;
        }

        public String id() {
            return id;
        }

        public HoldSettings settings() {
            return hold;
        }

        /** Connections open now (held or spliced). */
        public int open() {
            return open.size();
        }

        /** Connections spliced to the service now (what a stop drains). */
        public int spliced() {
            return spliced.get();
        }

        /** Connections waiting for the boot now. */
        public int held() {
            return held.get();
        }

        /** Connections accepted so far. */
        public long accepted() {
            return accepted.sum();
        }

        /** Bytes passed from clients to the service so far. */
        public long bytesToService() {
            return bytesToService.sum();
        }

        /** Bytes passed from the service to clients so far. */
        public long bytesToClient() {
            return bytesToClient.sum();
        }

        void opened(Connection c) {
            accepted.increment();
            open.add(c);
        }

        void closed(Connection c) {
            if (open.remove(c)) {
                long last = c.lastData;
                if (last > lastClosed) {
                    lastClosed = last; // a lost race only makes a closed connection count a little less
                }
                if (c.spliced && spliced.decrementAndGet() == 0) {
                    Sinks.Empty<Void> d = drained;
                    if (d != null) {
                        d.tryEmitEmpty();
                    }
                }
            }
        }

        /** A held connection got through to the service: from now on a stop drains it. */
        void splicing(Connection c) {
            if (!c.spliced && open.contains(c)) {
                c.spliced = true;
                spliced.incrementAndGet();
            }
        }

        void carried(Connection c, int bytes, boolean toService, long now) {
            c.lastData = now;
            (toService ? bytesToService : bytesToClient).add(bytes);
        }

        /** True at most once per {@link #LOG_PERIOD_MILLIS}: whether to log a connect failure now. */
        boolean shouldLog(long now) {
            long last = lastConnectLog;
            if (last != Long.MIN_VALUE && now - last < LOG_PERIOD_MILLIS) {
                return false;
            }
            lastConnectLog = now;
            return true;
        }

        long lastTraffic(long now) {
            long latest = lastClosed;
            for (Connection c : open) {
                long last = c.lastData;
                if (now - last < activeMillis) {
                    return now;
                }
                latest = Math.max(latest, last);
            }
            return latest;
        }

        /**
         * Waits for the spliced connections to close, up to the drain period, then resets those left. Held
         * connections are not waited for: they wait for the next boot (the stop comes first).
         */
        Mono<Void> drain(Scheduler timer) {
            return Mono.defer(() -> {
                if (spliced.get() == 0) {
                    return Mono.empty();
                }
                Sinks.Empty<Void> d = Sinks.empty();
                drained = d;
                if (spliced.get() == 0) {
                    return Mono.empty(); // the last one closed before the sink was visible
                }
                Runnable resetLeft = () -> open.forEach(c -> {
                    if (c.spliced) {
                        c.drainEnded();
                    }
                });
                return d.asMono()
                        .timeout(hold.drain(), Mono.<Void>fromRunnable(resetLeft), timer)
                        .doFinally(s -> drained = null);
            });
        }
    }

    /** What the book knows of one connection; its handler resets it when a drain ends. */
    abstract static class Connection {
        /** When it last carried data, in ms on the core's timer (its accept counts). */
        volatile long lastData;
        /** True once connected to the service (set on its event loop, read by drains). */
        volatile boolean spliced;

        Connection(long now) {
            this.lastData = now;
        }

        /** The drain period of a stop ended with this connection open: reset it. */
        abstract void drainEnded();
    }
}
