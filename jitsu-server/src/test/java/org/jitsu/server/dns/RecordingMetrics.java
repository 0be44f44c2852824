package org.jitsu.server.dns;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.server.dns.authority.Transport;

/** {@link FrontEndMetrics} that remembers what it was told; one instance per test. */
final class RecordingMetrics implements FrontEndMetrics {
    final List<Integer> rcodes = new CopyOnWriteArrayList<>();
    final List<String> dropped = new CopyOnWriteArrayList<>();
    final AtomicInteger malformed = new AtomicInteger();
    final AtomicInteger forwardedOk = new AtomicInteger();
    final AtomicInteger forwardedFailed = new AtomicInteger();
    final AtomicInteger tcpOpen = new AtomicInteger();

    @Override
    public void answered(Transport transport, int qtype, int rcode, long latencyNanos) {
        rcodes.add(rcode);
    }

    @Override
    public void malformed(Transport transport) {
        malformed.incrementAndGet();
    }

    @Override
    public void dropped(Transport transport, String reason) {
        dropped.add(reason);
    }

    @Override
    public void forwarded(boolean ok, long latencyNanos) {
        (ok ? forwardedOk : forwardedFailed).incrementAndGet();
    }

    @Override
    public void tcpConnections(int delta) {
        tcpOpen.addAndGet(delta);
    }
}
