package org.jitsu.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.ProxyMetrics;

/**
 * The front's meters: gauges and byte counters read from the {@link ConnectionBook} at scrape time (the
 * splice path only adds to the book's adders), and timers and reset counters for its events.
 */
final class MicrometerProxyMetrics implements ProxyMetrics {
    private static final String[] PHASES = {"wait-ready", "connect", "first-byte"};

    private final MeterRegistry registry;
    private final Map<String, Timer[]> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> resets = new ConcurrentHashMap<>();

    MicrometerProxyMetrics(MeterRegistry registry, ConnectionBook book) {
        this.registry = registry;
        for (ConnectionBook.Ledger l : book.ledgers()) {
            String id = l.id();
            Gauge.builder(MeterNames.PROXY_HELD, l, ConnectionBook.Ledger::held)
                    .description("connections held for a boot now").tag(MeterNames.SERVICE, id).register(registry);
            Gauge.builder(MeterNames.PROXY_OPEN, l, ConnectionBook.Ledger::open)
                    .description("connections open through the front now").tag(MeterNames.SERVICE, id)
                    .register(registry);
            FunctionCounter.builder(MeterNames.PROXY_ACCEPTED, l, ConnectionBook.Ledger::accepted)
                    .description("connections the front accepted").tag(MeterNames.SERVICE, id).register(registry);
            FunctionCounter.builder(MeterNames.PROXY_BYTES, l, ConnectionBook.Ledger::bytesToService)
                    .description("bytes spliced").baseUnit("bytes").tag(MeterNames.SERVICE, id)
                    .tag("direction", "to-service").register(registry);
            FunctionCounter.builder(MeterNames.PROXY_BYTES, l, ConnectionBook.Ledger::bytesToClient)
                    .description("bytes spliced").baseUnit("bytes").tag(MeterNames.SERVICE, id)
                    .tag("direction", "to-client").register(registry);
        }
    }

    @Override
    public void held(String service, long waitNanos, long connectNanos, long firstByteNanos) {
        Timer[] t = timers.computeIfAbsent(service, this::timersOf);
        t[0].record(waitNanos, TimeUnit.NANOSECONDS);
        t[1].record(connectNanos, TimeUnit.NANOSECONDS);
        t[2].record(firstByteNanos, TimeUnit.NANOSECONDS);
        t[3].record(waitNanos + connectNanos + firstByteNanos, TimeUnit.NANOSECONDS);
    }

    private Timer[] timersOf(String service) {
        Timer[] t = new Timer[PHASES.length + 1];
        for (int i = 0; i < PHASES.length; i++) {
            t[i] = Timer.builder(MeterNames.PROXY_PHASE).description("phases of a held connection's cold start")
                    .tag(MeterNames.SERVICE, service).tag("phase", PHASES[i])
                    .serviceLevelObjectives(MicrometerJitsuMetrics.BUCKETS).register(registry);
        }
        t[PHASES.length] = Timer.builder(MeterNames.PROXY_HOLD)
                .description("a held connection's accept to its first byte from the service")
                .tag(MeterNames.SERVICE, service).serviceLevelObjectives(MicrometerJitsuMetrics.BUCKETS)
                .register(registry);
        return t;
    }

    @Override
    public void reset(String service, String reason) {
        resets.computeIfAbsent(service + '\0' + reason, k -> Counter.builder(MeterNames.PROXY_RESETS)
                .description("connections the front reset or answered 503")
                .tag(MeterNames.SERVICE, service).tag("reason", reason).register(registry)).increment();
    }
}
