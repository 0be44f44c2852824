package org.jitsu.server;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsu.server.admin.AdminOperations;
import org.jitsu.server.admin.ServiceView;
import org.jitsu.server.metrics.JitsuMetrics;
import reactor.core.publisher.Mono;

/**
 * The admin API's view of a server that may not be assembled yet: the admin endpoint is bound first,
 * so that {@code /health/ready} answers 503 while the backends and listeners start.
 */
final class ServerOperations implements AdminOperations {
    private final AtomicReference<Optional<RunningJitsuServer>> server = new AtomicReference<>(Optional.empty());
    private final JitsuMetrics metrics;

    ServerOperations(JitsuMetrics metrics) {
        this.metrics = metrics;
    }

    void attach(RunningJitsuServer running) {
        server.set(Optional.of(running));
    }

    @Override
    public Mono<Boolean> ready() {
        return server.get().map(RunningJitsuServer::readyCheck).orElseGet(() -> Mono.just(false));
    }

    @Override
    public List<ServiceView> services() {
        return server.get().map(s -> s.views().all()).orElse(List.of());
    }

    @Override
    public Optional<Mono<ActionResult>> start(String id) {
        return server.get().flatMap(s -> s.views().start(id));
    }

    @Override
    public Optional<Mono<ActionResult>> stop(String id) {
        return server.get().flatMap(s -> s.views().stop(id));
    }

    @Override
    public Mono<ReloadOutcome> reload() {
        return server.get().map(RunningJitsuServer::reload)
                .orElseGet(() -> Mono.just(new ReloadOutcome(false, "the server is still starting")));
    }

    @Override
    public Mono<Registration> register(String id, String spec) {
        return server.get().map(s -> s.registrations().register(id, spec)).orElseGet(() -> Mono.just(
                new Registration(Registration.Outcome.UNAVAILABLE, "the server is still starting")));
    }

    @Override
    public Mono<Registration> unregister(String id) {
        return server.get().map(s -> s.registrations().unregister(id)).orElseGet(() -> Mono.just(
                new Registration(Registration.Outcome.UNAVAILABLE, "the server is still starting")));
    }

    @Override
    public Optional<String> metrics() {
        return metrics.scrape();
    }
}
