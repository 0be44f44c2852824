/**
 * The admin HTTP endpoint (Reactor Netty) on {@code admin.address}: Prometheus metrics, health probes,
 * the service table, operator start/stop, reload and run-time services.
 *
 * <p>Public: {@link org.jitsu.server.admin.AdminServer} ({@code bind}), its settings
 * {@link org.jitsu.server.admin.AdminSettings}, {@link org.jitsu.server.admin.AdminOperations} (what the
 * endpoint can see and do, implemented by the assembly) and {@link org.jitsu.server.admin.ServiceView}.
 * Hidden (package-private): {@code ReactorAdminServer} (routing, the bearer token, its own event
 * loop), {@code Json} and {@code ServiceTable} (the JSON and plain-text answers).
 *
 * <p>Dependencies: Reactor Netty and Netty's HTTP types, SLF4J; nothing else of the server: all it
 * serves comes in through {@code AdminOperations}, so this package knows neither the config, the core
 * nor the store. Nothing blocks the HTTP event loop: scrapes, actions and reloads run on the scheduler
 * the assembly injects.
 */
package org.jitsu.server.admin;
