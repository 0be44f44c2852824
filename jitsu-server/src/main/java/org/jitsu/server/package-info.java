/**
 * The assembly: builds a running Jitsu from a {@link org.jitsu.server.config.JitsuConfig} and runs it.
 *
 * <p>Public: {@link org.jitsu.server.JitsuServer} ({@code start}, {@code validate}, {@code builder};
 * the running server: its addresses, reload, shutdown), {@link org.jitsu.server.JitsuServer.Builder},
 * {@link org.jitsu.server.JitsuStartException} (a valid config that cannot start) and
 * {@link org.jitsu.server.ReadinessParser}. Hidden (package-private):
 * <ul>
 *   <li>{@code JitsuServerBuilder}: the start order, each step bounded: the admin endpoint first (so
 *       that {@code /health/ready} answers 503 meanwhile), the state store and the services registered
 *       in it, the backends ({@code BackendSet}), the service definitions ({@code ServiceAssembly}),
 *       the pipeline, the DNS listeners, the adoption check; {@code StartupPhases} logs what each
 *       took.</li>
 *   <li>{@code RunningJitsuServer}: a started server, wiring {@code ConfigReloader} (what is served:
 *       the file plus the run-time services; reloads, with {@code ConfigDiff} saying what a reload may
 *       change), {@code Registrations} (run-time services, kept in the state store, followed across
 *       instances), {@code ServiceViews} (the admin API's service table and operator start/stop) and
 *       {@code ShutdownSequence} (the ordered, bounded shutdown).</li>
 *   <li>{@code ServerOperations}: the admin API's {@link org.jitsu.server.admin.AdminOperations} on a
 *       server that may not be started yet.</li>
 * </ul>
 *
 * <p>Dependencies: every component it assembles ({@code config}, {@code core}, {@code dns},
 * {@code dns.authority}, {@code store}, {@code admin}, {@code metrics}) and {@code org.jitsu.backend}.
 * Nothing below it depends on this package; its users are the command line
 * ({@code org.jitsu.server.cli}), the tests and the benchmarks.
 */
package org.jitsu.server;
