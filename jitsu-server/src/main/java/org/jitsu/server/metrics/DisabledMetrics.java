package org.jitsu.server.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.ProxyMetrics;

/**
 * {@code metrics.enabled: false}: every report is a no-op (the baseline of the cost measurement); the
 * front end's and the pipeline's reports are their interfaces' default no-ops.
 */
final class DisabledMetrics implements JitsuMetrics {
    static final DisabledMetrics INSTANCE = new DisabledMetrics();

    private DisabledMetrics() {
    }

    @Override
    public void serviceBackends(Map<String, String> backendByService) {
    }

    @Override
    public void bindServices(Supplier<List<ServiceStatus>> services) {
    }

    @Override
    public ProxyMetrics proxy(ConnectionBook book) {
        return ProxyMetrics.NONE;
    }

    @Override
    public void reloaded(boolean ok) {
    }

    @Override
    public Optional<String> scrape() {
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
