package org.jitsu.backend.readiness;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code http: URL}: a GET returns a 2xx status. The URL's host is an IP literal (checked when parsed),
 * no proxy is used and redirects are not followed, so nothing is ever looked up. The JDK client is
 * shared by all http checks ({@link ProbeClient}).
 */
final class HttpCheck implements ReadinessCheck {
    private final URI uri;
    private final Duration attemptTimeout;
    private final Scheduler timer;

    HttpCheck(URI uri, Duration attemptTimeout, Scheduler timer) {
        this.uri = uri;
        this.attemptTimeout = attemptTimeout;
        this.timer = timer;
        ProbeClient.warmUp();
    }

    URI uri() {
        return uri;
    }

    @Override
    public Mono<Void> await(Vm vm) {
        return Retry.until(getOnce(), timer);
    }

    /** One attempt: {@code true} for a 2xx answer, {@code false} for another status, an error when refused. */
    Mono<Boolean> getOnce() {
        return Mono.defer(() -> {
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(attemptTimeout)
                    .header("User-Agent", "jitsu-readiness")
                    .build();
            return ProbeClient.get()
                    .flatMap(client -> Mono.fromFuture(() -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding())))
                    .map(r -> r.statusCode() >= 200 && r.statusCode() < 300);
        });
    }

    @Override
    public String describe() {
        return "http GET " + uri;
    }
}
