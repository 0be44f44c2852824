package org.jitsu.server.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jitsu.server.pipeline.ServiceStatus;
import org.jitsu.server.pipeline.Transport;

/** {@code metrics.enabled: false}: every report is a no-op (the baseline of the cost measurement). */
final class DisabledMetrics implements JitsuMetrics {
    static final DisabledMetrics INSTANCE = new DisabledMetrics();

    private DisabledMetrics() {
    }

    @Override
    public void answered(Transport transport, int qtype, int rcode, long latencyNanos) {
    }

    @Override
    public void malformed(Transport transport) {
    }

    @Override
    public void dropped(Transport transport, String reason) {
    }

    @Override
    public void forwarded(boolean ok, long latencyNanos) {
    }

    @Override
    public void tcpConnections(int delta) {
    }

    @Override
    public void serviceBackends(Map<String, String> backendByService) {
    }

    @Override
    public void bindServices(Supplier<List<ServiceStatus>> services) {
    }

    @Override
    public void reloaded(boolean ok) {
    }

    @Override
    public Optional<String> scrape() {
        return Optional.empty();
    }
}
