/**
 * The load harness behind {@code ./jitsu bench}: Jitsu, NSD and Knot on the same zone on loopback, each
 * in its own process, driven by dnsperf and a Java client; the cold path, the 1,000-query join, the
 * boot storm and the 100,000-name scale run. Prints its figures with their units and writes them to
 * {@code jitsu-bench/results/}.
 *
 * <p>Dependencies: the server's public API ({@code org.jitsu.server}, {@code org.jitsu.server.core},
 * {@code org.jitsu.server.dns.authority}), the backends, the JDK. Never run by {@code ./jitsu test}.
 */
package org.jitsu.bench.harness;
