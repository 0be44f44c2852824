package org.jitsu.server.store.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * jetcd calls as Monos on the store's scheduler ({@code jitsu-store-etcd}): made there (jetcd opens its
 * gRPC channel lazily, with file reads, on the first call), never waited on, bounded by {@link #TIMEOUT},
 * and continuing there, so that no caller (an event loop, the parallel scheduler) blocks and jetcd's
 * threads never run our code.
 */
final class EtcdCalls {
    /** Bound on one etcd call. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Scheduler io;

    EtcdCalls(Scheduler io) {
        this.io = io;
    }

    Scheduler io() {
        return io;
    }

    <T> Mono<T> call(Supplier<CompletableFuture<T>> f) {
        return Mono.fromFuture(f, false).subscribeOn(io).timeout(TIMEOUT, io).publishOn(io);
    }
}
