package org.jitsu.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * The JVM's and the process's own meters, from Micrometer's binders: memory and buffer pools, GC,
 * threads, classes, CPU, file descriptors, uptime. Gauges read at scrape time, and the GC's meters fed
 * by the JVM's GC notifications on a JMX thread: none is on the DNS path. {@link #close()} removes the
 * GC notification listener.
 */
final class JvmMeters implements AutoCloseable {
    /**
     * The binders' meters left out because {@code promtool check metrics} rejects their exported names:
     * {@code process_cpu_time_ns_total} ("should not contain abbreviated units") and
     * {@code system_cpu_count} ("should not have _count suffix"); the other JVM meters pass.
     */
    static final Set<String> LINT_FAILURES = Set.of("process.cpu.time", "system.cpu.count");

    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Binds the meters to {@code registry}; call before anything else registers a meter there. */
    JvmMeters(MeterRegistry registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> LINT_FAILURES.contains(id.getName())));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    @Override
    public void close() {
        gc.close();
    }
}
