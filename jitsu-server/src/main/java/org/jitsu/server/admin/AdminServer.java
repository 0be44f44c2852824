package org.jitsu.server.admin;

import java.net.InetSocketAddress;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The admin HTTP endpoint (Reactor Netty) on {@code admin.address}:
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format (404 when metrics are disabled);</li>
 *   <li>{@code GET /health/live}: 200 while the process serves HTTP;</li>
 *   <li>{@code GET /health/ready}: 200 once the DNS listeners are bound and the backends ready, else 503;</li>
 *   <li>{@code GET /api/services}: JSON, one object per service;</li>
 *   <li>{@code POST /api/services/{id}/start} and {@code /stop}: operator actions, answered when done;</li>
 *   <li>{@code POST /api/reload}: reload the config file (200 applied, 400 rejected with the reason).</li>
 * </ul>
 * With a token configured, every request except {@code /health/*} needs {@code Authorization: Bearer
 * TOKEN} (else 401). Nothing blocks the HTTP event loop: scrapes, actions and reloads run on the
 * injected scheduler.
 *
 * <pre>{@code
 * AdminServer admin = AdminServer.bind(settings, operations, scheduler).block(Duration.ofSeconds(10));
 * }</pre>
 */
public interface AdminServer extends AutoCloseable {

    /** Binds the endpoint; errors when the address cannot be bound. */
    static Mono<AdminServer> bind(AdminSettings settings, AdminOperations operations, Scheduler worker) {
        return ReactorAdminServer.bind(settings, operations, worker);
    }

    /** The bound address (with the real port when the settings asked for port 0). */
    InetSocketAddress address();

    /** Stops listening, lets requests in flight finish (bounded), releases the event loop. */
    Mono<Void> shutdown();

    /** Blocking {@link #shutdown()}; never call it on an event loop. */
    @Override
    default void close() {
        shutdown().block(java.time.Duration.ofSeconds(10));
    }
}
