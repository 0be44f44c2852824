package org.jitsu.server.store.etcd;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * This instance's lease, to which its claims are bound: granted with the first call that needs it (a
 * grant that fails is asked again by the next), kept alive every third of {@code lease-ttl} (at least
 * every 200 ms) with one {@code keepAliveOnce} each, and replaced by a new one when etcd says it is gone
 * ({@link EtcdErrors.Known#LEASE_NOT_FOUND}: it expired while etcd could not be reached for longer than
 * the TTL, or etcd lost it). Then the claims bound to the old lease are gone, and the {@link Listener}
 * puts back those of the services this instance runs.
 */
final class EtcdLease {
    private static final Logger log = LoggerFactory.getLogger(EtcdLease.class);

    /** What the coordinator does when a keep-alive is answered, and when the lease had to be replaced. */
    interface Listener {
        /** etcd answered a keep-alive: it can be reached (again). */
        void answered();

        /** The lease was gone ({@code why}); {@link #id()} is a new one and the old one's claims are gone. */
        void replaced(String why);
    }

    private final Client client;
    private final EtcdCalls calls;
    private final Duration ttl;
    private final String instance;
    private final AtomicReference<Mono<Long>> current = new AtomicReference<>();

    EtcdLease(Client client, EtcdCalls calls, Duration ttl, String instance) {
        this.client = client;
        this.calls = calls;
        this.ttl = ttl;
        this.instance = instance;
        this.current.set(grant());
    }

    /** The lease's id, granted on the first subscription and then cached (a failed grant is not). */
    Mono<Long> id() {
        return current.get();
    }

    private Mono<Long> grant() {
        return calls.call(() -> client.getLeaseClient().grant(ttl.toSeconds()))
                .map(r -> r.getID())
                .doOnNext(id -> log.info("store: instance {} holds lease {} (ttl {} s)", instance,
                        Long.toHexString(id), ttl.toSeconds()))
                .cache(v -> Duration.ofDays(3650), e -> Duration.ZERO, () -> Duration.ZERO);
    }

    /** Starts the keep-alive ticks; dispose to stop them. */
    Disposable keepAlive(Listener listener) {
        long every = Math.max(200, ttl.toMillis() / 3);
        return Flux.interval(Duration.ofMillis(every), calls.io()).subscribe(t -> keepAliveOnce(listener));
    }

    private void keepAliveOnce(Listener listener) {
        Mono<Long> lease = current.get();
        lease.flatMap(id -> calls.call(() -> client.getLeaseClient().keepAliveOnce(id)))
                .subscribe(r -> {
                    if (r.getTTL() <= 0) {
                        lost(lease, "expired", listener);
                    } else {
                        listener.answered();
                    }
                }, e -> {
                    if (EtcdErrors.is(e, EtcdErrors.Known.LEASE_NOT_FOUND)) {
                        lost(lease, "not found", listener);
                    } else {
                        log.debug("store: lease keep-alive failed: {}", e.toString());
                    }
                });
    }

    /** Replaces {@code old} once: keep-alives of the same lease that fail together replace it once. */
    private void lost(Mono<Long> old, String why, Listener listener) {
        if (current.compareAndSet(old, grant())) {
            listener.replaced(why);
        }
    }
}
