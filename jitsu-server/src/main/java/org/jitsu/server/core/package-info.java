/**
 * The on-demand core: services that run when asked for and stop when idle, with no DNS in it.
 *
 * <p>Public: {@link org.jitsu.server.core.OnDemandCore} (built with {@code OnDemandCore.builder()}),
 * {@link org.jitsu.server.core.ManagedService} (what a client asks: {@code warm()},
 * {@code ensureRunning()} for the {@link org.jitsu.server.core.Endpoints}, {@code touch()}),
 * {@link org.jitsu.server.core.ServiceDefinition}, and the ports the rest of the server implements:
 * {@link org.jitsu.server.core.ServiceJournal} (the store), {@link org.jitsu.server.core.BootCoordinator}
 * (other instances, etcd), {@link org.jitsu.server.core.CoreMetrics} (Micrometer) with the
 * {@link org.jitsu.server.core.ColdStartPhase}s it reports. Hidden
 * (package-private): one {@code ServiceRuntime} state machine per service, a {@code BootAttempt} per
 * boot with its {@code BootOutcome}, the {@code StopProcedure}, the {@code IdlePolicy}, the
 * {@code ServiceReporter} (journal, metrics, log), the {@code BootGate} that bounds boots.
 *
 * <p>Dependencies: {@code org.jitsu.backend} (VMs and readiness checks), Reactor, SLF4J. Never the DNS
 * packages ({@code org.jitsu.server.dns..}), Netty, the store, the config or the metrics library:
 * {@code DependencyRuleTest} fails the build when it does. All time comes from the injected timer.
 */
package org.jitsu.server.core;
