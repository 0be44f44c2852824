package org.jitsu.backend.readiness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import org.jitsu.settings.IpLiteral;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * {@code http: URL}: a GET returns a 2xx status. The URL's host is an IP literal (checked when parsed),
 * so nothing is ever looked up; there is no proxy and redirects are not followed (a 3xx is "not
 * ready").
 *
 * <p>Each attempt is one HTTP/1.1 request with {@code Connection: close} on a fresh non-blocking
 * connection (JDK asynchronous channels, like {@link TcpCheck}); only the status line is read. The JDK's
 * {@code HttpClient} was used before: each request went through its selector thread and, on a
 * machine with two cores (where the common fork-join pool has one thread and
 * {@code CompletableFuture} starts a new thread per asynchronous stage), one or two freshly created
 * threads, which cost a cold answer a millisecond or more.
 *
 * <p>An attempt's bound grows with the wait: a quarter of the time since the check began, at least
 * {@link #MIN_ATTEMPT} and at most the configured bound (2 s). A port forwarder that accepts for a
 * guest that does not listen yet (QEMU's user-mode networking) leaves an attempt hanging until its
 * bound; with a fixed 2 s bound and one attempt at a time, a guest ready after 0.7 s was seen after
 * 2.3 s. Now a hung attempt gives up after a quarter of the wait so far, while a service slow to answer
 * its first request still gets up to 2 s once the wait is long, and the next attempts start on the
 * poll's schedule beside it (see {@link #await}).
 */
final class HttpCheck implements ReadinessCheck {
    /** The bound of the first attempts (a ready local service answers in well under a millisecond). */
    static final Duration MIN_ATTEMPT = Duration.ofMillis(50);
    /** Attempts in flight at once at most. */
    static final int IN_FLIGHT = 4;

    /** Enough for any status line ({@code HTTP/1.1 200 OK\r\n} and a long reason). */
    private static final int STATUS_LINE_MAX = 512;

    private final URI uri;
    private final InetSocketAddress address;
    private final byte[] request;
    private final Duration attemptTimeout;
    private final Scheduler timer;

    HttpCheck(URI uri, Duration attemptTimeout, Scheduler timer) {
        this.uri = uri;
        this.attemptTimeout = attemptTimeout;
        this.timer = timer;
        String host = uri.getHost();
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        this.address = new InetSocketAddress(IpLiteral.parse(literal).orElseThrow(
                () -> new IllegalArgumentException("not an IP literal: " + host)), uri.getPort() < 0 ? 80 : uri.getPort());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + uri.getRawAuthority()
                + "\r\nUser-Agent: jitsu-readiness\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    URI uri() {
        return uri;
    }

    /**
     * Attempts on {@link Retry}'s schedule, each bounded by {@link #attemptBound}, and up to
     * {@link #IN_FLIGHT} at once: a new attempt does not wait for a hung one to give up, so the guest
     * is seen about one poll interval after it answers. The first 2xx ends the check and the others.
     */
    @Override
    public Mono<Void> await(Vm vm) {
        return Mono.defer(() -> {
            long started = timer.now(TimeUnit.MILLISECONDS);
            return Flux.range(0, Integer.MAX_VALUE)
                    .concatMap(n -> n == 0 ? Mono.just(n) : Mono.delay(Retry.backoff(n - 1L), timer).thenReturn(n), 1)
                    .flatMap(n -> getOnce(attemptBound(timer.now(TimeUnit.MILLISECONDS) - started))
                            .onErrorResume(e -> Mono.just(Boolean.FALSE)), IN_FLIGHT, 1)
                    .filter(Boolean::booleanValue)
                    .next()
                    .then();
        });
    }

    /** The bound of an attempt made {@code waitedMillis} after the check began. */
    Duration attemptBound(long waitedMillis) {
        Duration quarter = Duration.ofMillis(Math.max(0, waitedMillis) / 4);
        if (quarter.compareTo(MIN_ATTEMPT) < 0) {
            return MIN_ATTEMPT.compareTo(attemptTimeout) < 0 ? MIN_ATTEMPT : attemptTimeout;
        }
        return quarter.compareTo(attemptTimeout) > 0 ? attemptTimeout : quarter;
    }

    /** One attempt: {@code true} for a 2xx answer, {@code false} for another status, an error when refused. */
    Mono<Boolean> getOnce() {
        return getOnce(attemptTimeout);
    }

    private Mono<Boolean> getOnce(Duration bound) {
        return Attempts.<Boolean>onFreshChannel(bound, timer, (ch, sink) -> new Exchange(ch, sink).connect());
    }

    /** Connect, write the request, read up to the end of the status line. */
    private final class Exchange {
        private final AsynchronousSocketChannel ch;
        private final MonoSink<Boolean> sink;
        private final ByteBuffer out = ByteBuffer.wrap(request);
        private final ByteBuffer in = ByteBuffer.allocate(STATUS_LINE_MAX);

        Exchange(AsynchronousSocketChannel ch, MonoSink<Boolean> sink) {
            this.ch = ch;
            this.sink = sink;
        }

        void connect() {
            ch.connect(address, null, handler(ignored -> write()));
        }

        private void write() {
            if (out.hasRemaining()) {
                ch.write(out, null, handler(ignored -> write()));
            } else {
                read();
            }
        }

        private void read() {
            ch.read(in, null, handler(n -> {
                int end = lineEnd();
                if (end >= 0) {
                    status(end);
                } else if (n < 0 || !in.hasRemaining()) {
                    sink.error(new IOException("no HTTP status line from " + uri));
                } else {
                    read();
                }
            }));
        }

        private int lineEnd() {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        /** {@code HTTP/1.x NNN ...}: 2xx is ready, any other status is not; anything else is an error. */
        private void status(int end) {
            String line = new String(in.array(), 0, end, StandardCharsets.US_ASCII).strip();
            if (line.length() >= 12 && line.startsWith("HTTP/1.") && line.charAt(8) == ' '
                    && Character.isDigit(line.charAt(9)) && Character.isDigit(line.charAt(10))
                    && Character.isDigit(line.charAt(11))) {
                sink.success(line.charAt(9) == '2');
            } else {
                sink.error(new IOException("not an HTTP status line from " + uri + ": " + line));
            }
        }

        private <T> CompletionHandler<T, Void> handler(java.util.function.Consumer<T> next) {
            return new CompletionHandler<>() {
                @Override
                public void completed(T result, Void attachment) {
                    try {
                        next.accept(result);
                    } catch (RuntimeException e) { // a closed channel (cancelled attempt) and the like
                        sink.error(e);
                    }
                }

                @Override
                public void failed(Throwable exc, Void attachment) {
                    sink.error(exc);
                }
            };
        }
    }

    @Override
    public String describe() {
        return "http GET " + uri;
    }
}
