/**
 * The connection-holding front (the original's Synjitsu): for services with {@code answer: at-once},
 * the DNS answers at once with a front address, and here Jitsu accepts the service's TCP connections
 * there, holds them while the service boots (the accept completes; what the client sends is buffered
 * up to a bound) and splices them to the service once it is ready.
 *
 * <p>Dependencies: the on-demand core ({@code ManagedService.ensureRunning()}, and the
 * {@code ServiceTraffic} port it implements), the shared transports of {@code org.jitsu.server.net},
 * Netty (channels and buffers, never netty-codec-dns: it parses nothing) and Reactor. Never the DNS
 * front end or its authority, the store, the config or the metrics' implementation
 * ({@code DependencyRuleTest}).
 *
 * <p>Public: {@link org.jitsu.server.proxy.FrontProxy} (the listeners, on their own event loops),
 * {@link org.jitsu.server.proxy.ConnectionBook} (its connections per service, the core's
 * {@code ServiceTraffic}: open connections that carried data recently keep a service from its idle
 * stop, and a stop drains them), the settings ({@link org.jitsu.server.proxy.HoldSettings},
 * {@link org.jitsu.server.proxy.HeldPort}, {@link org.jitsu.server.proxy.ProxySettings}) and
 * {@link org.jitsu.server.proxy.ProxyMetrics}. Package-private: {@code HeldConnection} (one accepted
 * connection from accept to close) and {@code Splice} (one direction of a spliced connection).
 *
 * <p>Choices:
 * <ul>
 *   <li>Bytes pass as the pooled direct buffers Netty read them into (one copy in and one out of the
 *       kernel, none in the JVM); Linux {@code splice(2)} through Netty's {@code spliceTo} was measured
 *       against it and streamed slower, with more CPU per GiB ({@code ./jitsu bench --hold-only},
 *       docs/performance.md).</li>
 *   <li>Refusals (a bound reached, a failed boot on a plain TCP port, the end of a drain) are TCP resets
 *       (SO_LINGER 0), so that a client fails at once instead of waiting on a timeout.</li>
 *   <li>A half-close passes through: a client that shuts down its output after its request still gets
 *       the answer.</li>
 * </ul>
 */
package org.jitsu.server.proxy;
