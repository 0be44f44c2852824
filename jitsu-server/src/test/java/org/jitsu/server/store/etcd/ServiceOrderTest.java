package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** One service's etcd operations one after the other, in the order asked; other services' meanwhile. */
@Tag("fast")
class ServiceOrderTest {
    private static final Duration T = Duration.ofSeconds(5);

    private final ServiceOrder order = new ServiceOrder();
    private final List<String> started = new CopyOnWriteArrayList<>();

    private Mono<String> op(String name, Sinks.One<String> result) {
        return Mono.defer(() -> {
            started.add(name);
            return result.asMono();
        });
    }

    @Test
    void anOperationOfTheSameServiceStartsOnceTheOneAskedBeforeItHasEnded() {
        Sinks.One<String> release = Sinks.one();
        Sinks.One<String> claim = Sinks.one();
        Mono<String> first = order.inOrder("web", op("release", release));
        Mono<String> second = order.inOrder("web", op("claim", claim));
        first.subscribe();
        second.subscribe();
        assertThat(started).containsExactly("release");
        release.tryEmitError(new IllegalStateException("etcd unavailable")); // ended, in whatever way
        assertThat(started).containsExactly("release", "claim");
        claim.tryEmitValue("claimed");
    }

    @Test
    void anotherServiceDoesNotWait() {
        Sinks.One<String> web = Sinks.one();
        order.inOrder("web", op("web", web)).subscribe();
        Sinks.One<String> api = Sinks.one();
        order.inOrder("api", op("api", api)).subscribe();
        assertThat(started).containsExactly("web", "api");
        web.tryEmitValue("done");
        api.tryEmitValue("done");
    }

    @Test
    void pendingCompletesOnceEveryOperationAskedSoFarHasEnded() {
        Sinks.One<String> web = Sinks.one();
        order.inOrder("web", op("web", web)).subscribe();
        Mono<Void> pending = order.pending();
        StepVerifier.create(pending).expectSubscription().expectNoEvent(Duration.ofMillis(50))
                .then(() -> web.tryEmitValue("done")).expectComplete().verify(T);
        StepVerifier.create(order.pending()).as("nothing pending").expectComplete().verify(T);
    }
}
