/**
 * Metrics: Micrometer with a Prometheus registry, behind the core's
 * {@link org.jitsu.server.core.CoreMetrics} and the front end's {@link org.jitsu.server.dns.FrontEndMetrics}.
 *
 * <p>Public: {@link org.jitsu.server.metrics.JitsuMetrics} ({@code prometheus(backends)},
 * {@code disabled()}) and {@link org.jitsu.server.metrics.MeterNames} (every meter name, dotted, in base
 * units). Hidden (package-private): {@code MicrometerJitsuMetrics} (meters created once per tag
 * combination and cached; per-service meters only once a service is used; a warm answer is reported
 * without allocating), {@code JvmMeters} (the JVM's and the process's meters of Micrometer's binders,
 * in the same registry, until {@code close()}), {@code DisabledMetrics}, {@code DnsLabels}.
 *
 * <p>Dependencies: the interfaces it implements and the types they report ({@code core},
 * {@code dns.FrontEndMetrics}, {@code dns.authority.Transport}, {@code org.jitsu.backend.StopMode}) and
 * Micrometer; this is the only package that imports Micrometer. Never the config, the admin endpoint,
 * the store or the assembly: the assembly hands it the backend names and the service states, and the
 * admin endpoint reads {@code scrape()} through its operations.
 */
package org.jitsu.server.metrics;
