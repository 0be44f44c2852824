package org.jitsu.server.core;

import java.util.ArrayDeque;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Bounds boots across all services: at most {@code maxConcurrent} hold a slot, at most
 * {@code maxQueued} wait for one in FIFO order, and past that {@link #tryEnter()} refuses at once.
 *
 * <p>The decision to run, queue or refuse is taken synchronously, so a caller can be told "no" without
 * waiting. A ticket must be {@linkplain #leave(Ticket) left} exactly once whatever happens to the boot
 * (done, failed, timed out while queued); leaving hands the slot to the oldest queued ticket.
 */
final class BootGate {
    private final int maxConcurrent;
    private final int maxQueued;
    private final CoreMetrics metrics;
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int running;

    BootGate(BootLimits limits, CoreMetrics metrics) {
        this.maxConcurrent = limits.maxConcurrent();
        this.maxQueued = limits.maxQueued();
        this.metrics = metrics;
    }

    /** A slot granted now, a place in the queue, or empty when the queue is full. */
    Optional<Ticket> tryEnter() {
        Ticket ticket = new Ticket();
        boolean grantedNow = false;
        int r;
        int q;
        synchronized (this) {
            if (running < maxConcurrent) {
                running++;
                ticket.state = Ticket.GRANTED;
                grantedNow = true;
            } else if (queue.size() < maxQueued) {
                queue.addLast(ticket);
            } else {
                return Optional.empty();
            }
            r = running;
            q = queue.size();
        }
        if (grantedNow) {
            ticket.granted.tryEmitEmpty();
        }
        metrics.bootsInFlight(r, q);
        return Optional.of(ticket);
    }

    /** Gives back the ticket's slot (or its place in the queue). Idempotent. */
    void leave(Ticket ticket) {
        Ticket next = null;
        int r;
        int q;
        synchronized (this) {
            if (ticket.state == Ticket.QUEUED) {
                queue.remove(ticket);
            } else if (ticket.state == Ticket.GRANTED) {
                next = queue.pollFirst();
                if (next != null) {
                    next.state = Ticket.GRANTED;
                } else {
                    running--;
                }
            } else {
                return;
            }
            ticket.state = Ticket.LEFT;
            r = running;
            q = queue.size();
        }
        if (next != null) {
            next.granted.tryEmitEmpty();
        }
        metrics.bootsInFlight(r, q);
    }

    synchronized int running() {
        return running;
    }

    synchronized int queued() {
        return queue.size();
    }

    /** One boot's claim on a slot. */
    static final class Ticket {
        static final int QUEUED = 0;
        static final int GRANTED = 1;
        static final int LEFT = 2;

        // guarded by the gate's lock
        private int state = QUEUED;
        private final Sinks.Empty<Void> granted = Sinks.empty();

        /** Completes when the ticket holds a slot. */
        Mono<Void> whenGranted() {
            return granted.asMono();
        }
    }
}
