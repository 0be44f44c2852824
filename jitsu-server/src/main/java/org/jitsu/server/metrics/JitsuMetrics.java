package org.jitsu.server.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.FrontEndMetrics;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.ProxyMetrics;

/**
 * Jitsu's metrics: the front end's and the pipeline's reports, bound to Micrometer meters (names in
 * {@link MeterNames}) in a Prometheus registry, or to nothing when metrics are disabled. Meters are
 * created once per tag combination and cached; reporting a warm answer allocates nothing.
 *
 * <pre>{@code
 * JitsuMetrics metrics = JitsuMetrics.prometheus(List.of("local"));
 * metrics.serviceBackends(Map.of("www", "local"));
 * metrics.bindServices(pipeline::services);
 * String text = metrics.scrape().orElseThrow();   // Prometheus text format 0.0.4
 * }</pre>
 */
public interface JitsuMetrics extends FrontEndMetrics, CoreMetrics, AutoCloseable {

    /** Metrics in a Prometheus registry; {@code backends} get a running-services gauge each. */
    static JitsuMetrics prometheus(Collection<String> backends) {
        return new MicrometerJitsuMetrics(backends);
    }

    /** Reports nothing; {@link #scrape()} is empty. */
    static JitsuMetrics disabled() {
        return DisabledMetrics.INSTANCE;
    }

    /** The backend of each service (tag of boot meters, and the running-services gauge); replaced on reload. */
    void serviceBackends(Map<String, String> backendByService);

    /** Where the running-services gauges read the services' states from (read at scrape time only). */
    void bindServices(Supplier<List<ServiceStatus>> services);

    /**
     * The front's metrics: gauges and byte counters of {@code book}'s services (read at scrape time), and
     * the reports of its events. Call once.
     */
    ProxyMetrics proxy(ConnectionBook book);

    /** A config reload was applied ({@code ok}) or rejected. */
    void reloaded(boolean ok);

    /** The Prometheus text exposition of every meter; empty when metrics are disabled. */
    Optional<String> scrape();

    /**
     * Ends what the metrics hold in the JVM (the GC notification listener of the JVM meters) and closes
     * the registry: when the server is done, after the last scrape. Idempotent.
     */
    @Override
    void close();
}
