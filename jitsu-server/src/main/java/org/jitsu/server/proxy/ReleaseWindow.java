package org.jitsu.server.proxy;

import java.util.ArrayDeque;

/**
 * How many held connections one service is handed at a time once it is ready. A freshly booted guest
 * has a small listen backlog (busybox httpd's is 9): two hundred connects at once overflow it, the
 * guest's kernel drops the SYNs or the handshakes' last ACKs, and the clients wait out TCP's
 * retransmission back-off (1 s, 3 s, 7 s, 15 s...) for a VM that is idle. So the front releases its
 * herd through a window: a connection takes a place before it connects and gives it back when the
 * service sends its first byte, when the settle period after its connect passes (a protocol where the
 * server speaks late), or when it fails or closes. The rest wait in order. A connection that was never
 * held (the service ran when it came) passes without a place unless others wait before it, so the
 * window never limits a running service's traffic. Thread-safe (the connections live on several event
 * loops); a grant runs on the thread that gave a place back, and must hop to its own loop.
 */
final class ReleaseWindow {
    private final int size;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int taken;

    ReleaseWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window " + size + " (expected: > 0)");
        }
        this.size = size;
    }

    /**
     * Takes a place for a held connection: true if it has one now (give it back with {@link #giveBack}),
     * false if {@code grant} runs once a place is free (the place is then the grant's to give back).
     */
    synchronized boolean take(Runnable grant) {
        if (taken < size && waiting.isEmpty()) {
            taken++;
            return true;
        }
        waiting.add(grant);
        return false;
    }

    /**
     * For a connection that was never held: true if it may go now without a place (nobody waits and the
     * window has room); false if {@code grant} was queued as by {@link #take}.
     */
    synchronized boolean pass(Runnable grant) {
        if (taken < size && waiting.isEmpty()) {
            return true;
        }
        waiting.add(grant);
        return false;
    }

    /** Gives a place back: the next in line gets it (its grant runs here), else the window has room. */
    void giveBack() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                taken--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** Places taken now. */
    synchronized int taken() {
        return taken;
    }

    /** Connections waiting for a place now. */
    synchronized int waiting() {
        return waiting.size();
    }
}
