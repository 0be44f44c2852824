package org.jitsu.backend.readiness;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/**
 * The one JDK {@link HttpClient} all {@code http} readiness checks share: no proxy, no redirects,
 * HTTP/1.1. Building a JDK client costs most of a second (TLS defaults are loaded even for plain
 * HTTP), so it is built once, off the caller's thread, as soon as the first {@code http} check is
 * parsed: the first boot after start-up does not pay for it.
 */
final class ProbeClient {
    static final Duration CONNECT_TIMEOUT = ReadinessChecks.ATTEMPT_TIMEOUT;

    private ProbeClient() {
    }

    /** Lazy holder: nothing is built until an http check exists. */
    private static final class Holder {
        static final CompletableFuture<HttpClient> CLIENT = CompletableFuture.supplyAsync(() -> HttpClient.newBuilder()
                .proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build());

        private Holder() {
        }
    }

    /** Starts building the client in the background (idempotent). */
    static void warmUp() {
        Holder.CLIENT.isDone();
    }

    /** The client, once built. */
    static Mono<HttpClient> get() {
        return Mono.fromFuture(Holder.CLIENT, true);
    }
}
