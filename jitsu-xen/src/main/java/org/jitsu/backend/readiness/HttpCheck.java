package org.jitsu.backend.readiness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code http: URL}: a GET returns a 2xx status. The URL's host is an IP literal (checked when parsed),
 * no proxy is used and redirects are not followed, so nothing is ever looked up. The JDK client is
 * created on first use and shared by all attempts of this check.
 */
final class HttpCheck implements ReadinessCheck {
    private final URI uri;
    private final Duration attemptTimeout;
    private final Scheduler timer;
    private final AtomicReference<HttpClient> client = new AtomicReference<>();

    HttpCheck(URI uri, Duration attemptTimeout, Scheduler timer) {
        this.uri = uri;
        this.attemptTimeout = attemptTimeout;
        this.timer = timer;
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
            return Mono.fromFuture(() -> client().sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                    .map(r -> r.statusCode() >= 200 && r.statusCode() < 300);
        });
    }

    private HttpClient client() {
        HttpClient c = client.get();
        if (c == null) {
            c = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(attemptTimeout)
                    .build();
            if (!client.compareAndSet(null, c)) {
                c = client.get();
            }
        }
        return c;
    }

    @Override
    public String describe() {
        return "http GET " + uri;
    }
}
