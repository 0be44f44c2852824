package org.jitsu.server.store.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * This instance's etcd operations on one service (claim, VM record, release) one after the other, in
 * the order they are asked, so that a release still on its way (a stop, then a query at once) can never
 * delete the claim the next boot has just taken. Operations on different services do not wait for each
 * other.
 */
final class ServiceOrder {
    /** Per service: completes when the last operation asked for it has ended. */
    private final Map<String, Sinks.Empty<Void>> tails = new ConcurrentHashMap<>();

    /**
     * {@code op} once the operations asked before it for the same service have ended (in whatever way);
     * it is asked for when the returned Mono is subscribed to.
     */
    <T> Mono<T> inOrder(String serviceId, Mono<T> op) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            Sinks.Empty<Void> before = tails.put(serviceId, done);
            Mono<Void> previous = before == null ? Mono.empty() : before.asMono();
            return previous.then(op).doFinally(signal -> {
                tails.remove(serviceId, done);
                done.tryEmitEmpty();
            });
        });
    }

    /** Completes once every operation asked so far has ended. */
    Mono<Void> pending() {
        List<Mono<Void>> pending = new ArrayList<>();
        tails.values().forEach(t -> pending.add(t.asMono()));
        return Mono.when(pending);
    }
}
