package org.jitsu.backend.libvirt;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

/** Observes a backend's hot event stream around an action, without racing the action. */
final class TestEvents {
    private TestEvents() {
    }

    /** Subscribes to {@code events}, then runs {@code action}; emits the first event once both are done. */
    static <T> Mono<T> first(Flux<T> events, Mono<?> action) {
        return Mono.zip(events.next(), action.then(Mono.just(Boolean.TRUE))).map(Tuple2::getT1);
    }

    /** Like {@link #first} for the first {@code n} events. */
    static <T> Mono<List<T>> take(Flux<T> events, int n, Mono<?> action) {
        return Mono.zip(events.take(n).collectList(), action.then(Mono.just(Boolean.TRUE))).map(Tuple2::getT1);
    }
}
