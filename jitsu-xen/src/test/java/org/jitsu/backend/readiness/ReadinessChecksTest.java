package org.jitsu.backend.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.Backend;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testing.TestProcesses;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

@Tag("fast")
class ReadinessChecksTest {
    private static final String ADDRESS = "127.0.3.200";
    private static final ReadinessChecks CHECKS = ReadinessChecks.standard();
    private final Scheduler realTimer = Schedulers.newParallel("readiness-test", 1);
    private HttpServer httpServer;
    private volatile String redirectTo = "/";

    @AfterEach
    void tearDown() {
        if (httpServer != null) {
            httpServer.stop(0);
        }
        realTimer.dispose();
    }

    private static Settings item(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, value);
        return Settings.of("services[0].readiness[1]", m);
    }

    private static ReadinessCheck parse(String key, Object value, Scheduler timer) {
        return CHECKS.parse(item(key, value), timer);
    }

    // ---- config errors name the key

    @Test
    void httpWithHostNameIsRejectedWithoutLookup() {
        assertThatThrownBy(() -> parse("http", "http://localhost:8080/", realTimer))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("services[0].readiness[1].http: http://localhost:8080/")
                .hasMessageContaining("IP address literal")
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].http");
    }

    @Test
    void httpMustBeAnHttpUrl() {
        assertThatThrownBy(() -> parse("http", "ftp://127.0.0.1/", realTimer))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].http");
        assertThatThrownBy(() -> parse("http", "127.0.0.1:80", realTimer)).isInstanceOf(ConfigException.class);
    }

    @Test
    void badDelayIsRejected() {
        assertThatThrownBy(() -> parse("delay", "soon", realTimer))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("services[0].readiness[1].delay: soon (expected: a duration");
        assertThatThrownBy(() -> parse("delay", 100, realTimer))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].delay");
    }

    @Test
    void backendAcceptsOnlyRunning() {
        assertThatThrownBy(() -> parse("backend", "up", realTimer))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0].readiness[1].backend: up (expected: running)");
    }

    @Test
    void tcpNeedsAddressAndPort() {
        assertThatThrownBy(() -> parse("tcp", "127.0.0.2", realTimer))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].tcp");
        assertThatThrownBy(() -> parse("tcp", "example.org:80", realTimer)).isInstanceOf(ConfigException.class);
    }

    @Test
    void itemNeedsExactlyOneKnownKey() {
        Map<String, Object> two = new LinkedHashMap<>();
        two.put("tcp", "127.0.0.2:80");
        two.put("delay", "1s");
        assertThatThrownBy(() -> CHECKS.parse(Settings.of("services[0].readiness[1]", two), realTimer))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1]");
        assertThatThrownBy(() -> parse("grpc", "127.0.0.2:80", realTimer))
                .isInstanceOf(ConfigException.class)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].grpc");
    }

    @Test
    void describeSaysWhatIsChecked() {
        assertThat(parse("http", "http://127.0.0.2:8080/health", realTimer).describe())
                .isEqualTo("http GET http://127.0.0.2:8080/health");
        assertThat(parse("tcp", "[::1]:53", realTimer).describe()).isEqualTo("tcp connect 0:0:0:0:0:0:0:1:53");
        assertThat(parse("delay", "100ms", realTimer).describe()).isEqualTo("delay 100ms");
        assertThat(parse("backend", "running", realTimer).describe()).isEqualTo("backend running");
    }

    // ---- behaviour

    @Test
    void backoffPollsEveryMillisecondFirstThenDoublesFrom2msUpTo100ms() {
        assertThat(Retry.backoff(0)).isEqualTo(Duration.ofMillis(1));
        assertThat(Retry.backoff(19)).isEqualTo(Duration.ofMillis(1));
        assertThat(Retry.backoff(20)).isEqualTo(Duration.ofMillis(2));
        assertThat(Retry.backoff(21)).isEqualTo(Duration.ofMillis(4));
        assertThat(Retry.backoff(25)).isEqualTo(Duration.ofMillis(64));
        assertThat(Retry.backoff(26)).isEqualTo(Duration.ofMillis(100));
        assertThat(Retry.backoff(1000)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void delayWaitsOnTheTimer() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ReadinessCheck check = parse("delay", "100ms", vts);
        StepVerifier.withVirtualTime(() -> check.await(new ScriptedVm()), () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(99))
                .thenAwait(Duration.ofMillis(1))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void backendRunningPollsWithBackoffUntilRunning() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ScriptedVm vm = new ScriptedVm(VmState.STARTING, VmState.STARTING, VmState.STARTING, VmState.RUNNING);
        ReadinessCheck check = parse("backend", "running", vts);
        // Attempts at 0, 1, 2 and 3 ms of virtual time.
        StepVerifier.withVirtualTime(() -> check.await(vm), () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2))
                .then(() -> assertThat(vm.calls.get()).isEqualTo(3))
                .thenAwait(Duration.ofMillis(1))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(vm.calls.get()).isEqualTo(4);
    }

    @Test
    void backendRunningKeepsPollingWhileStopped() {
        VirtualTimeScheduler vts = VirtualTimeScheduler.create();
        ScriptedVm vm = new ScriptedVm(VmState.STOPPED);
        StepVerifier.withVirtualTime(() -> parse("backend", "running", vts).await(vm), () -> vts, Long.MAX_VALUE)
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(10))
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        // 21 attempts in the first 20 ms, 6 more by 146 ms, then one per 100 ms.
        assertThat(vm.calls.get()).isBetween(120, 130);
    }

    @Test
    void tcpSucceedsOnceAListenerAppears() throws IOException {
        int port = TestProcesses.freePort(ADDRESS);
        ReadinessCheck check = parse("tcp", ADDRESS + ":" + port, realTimer);
        ServerSocket[] listener = new ServerSocket[1];
        try {
            StepVerifier.create(check.await(new ScriptedVm()))
                    .expectSubscription()
                    .then(() -> {
                        try {
                            listener[0] = new ServerSocket();
                            listener[0].bind(new InetSocketAddress(InetAddress.getByAddress(TestProcesses.literal(ADDRESS)), port));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
        } finally {
            if (listener[0] != null) {
                listener[0].close();
            }
        }
    }

    @Test
    void tcpAttemptFailsWhenNothingListens() throws IOException {
        int port = TestProcesses.freePort(ADDRESS);
        TcpCheck check = (TcpCheck) parse("tcp", ADDRESS + ":" + port, realTimer);
        StepVerifier.create(check.connectOnce()).expectError(IOException.class).verify(Duration.ofSeconds(5));
    }

    @Test
    void httpRetriesThroughNon2xx() throws IOException {
        AtomicInteger requests = startHttpServer(3, 503);
        ReadinessCheck check = parse("http", "http://" + ADDRESS + ":" + httpServer.getAddress().getPort() + "/health",
                realTimer);
        StepVerifier.create(check.await(new ScriptedVm())).expectComplete().verify(Duration.ofSeconds(10));
        // Three 503s were answered before the 200 (an attempt that timed out under load may add one).
        assertThat(requests.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void httpDoesNotFollowRedirects() throws IOException {
        AtomicInteger requests = startHttpServer(Integer.MAX_VALUE, 302);
        String base = "http://" + ADDRESS + ":" + httpServer.getAddress().getPort();
        AtomicInteger redirected = new AtomicInteger();
        httpServer.createContext("/elsewhere", exchange -> {
            redirected.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        redirectTo = base + "/elsewhere";
        // A generous per-attempt timeout: this test makes a single attempt on a possibly cold JVM.
        HttpCheck check = new HttpCheck(java.net.URI.create(base + "/"), Duration.ofSeconds(10), realTimer);
        StepVerifier.create(check.getOnce()).expectNext(false).expectComplete().verify(Duration.ofSeconds(15));
        assertThat(requests.get()).isEqualTo(1);
        assertThat(redirected.get()).isZero();
    }

    @Test
    void httpIsReadyOnTheStatusLineAndSendsOneWellFormedRequest() throws Exception {
        // a server that answers a status line and then keeps the connection open: the check must not
        // wait for headers or a body it does not need
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByAddress(TestProcesses.literal(ADDRESS)))) {
            java.util.concurrent.CompletableFuture<String> requestHead = new java.util.concurrent.CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                            s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
                    StringBuilder head = new StringBuilder();
                    for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
                        head.append(line).append('\n');
                    }
                    requestHead.complete(head.toString());
                    s.getOutputStream().write("HTTP/1.1 204 No Content\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read(); // until the client closes
                } catch (IOException e) {
                    requestHead.completeExceptionally(e);
                }
            }, "status-line-server");
            t.start();
            String url = "http://" + ADDRESS + ":" + server.getLocalPort() + "/health?probe=1";
            HttpCheck check = (HttpCheck) parse("http", url, realTimer);
            StepVerifier.create(check.getOnce()).expectNext(true).expectComplete().verify(Duration.ofSeconds(10));
            assertThat(requestHead.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .startsWith("GET /health?probe=1 HTTP/1.1\n")
                    .contains("Host: " + ADDRESS + ":" + server.getLocalPort() + "\n")
                    .contains("Connection: close\n");
            t.join(5000);
        }
    }

    @Test
    void httpAttemptFailsOnSomethingThatIsNotHttp() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByAddress(TestProcesses.literal(ADDRESS)))) {
            Thread t = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    s.getOutputStream().write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    // the test's assertion says what went wrong
                }
            }, "not-http-server");
            t.start();
            HttpCheck check = (HttpCheck) parse("http", "http://" + ADDRESS + ":" + server.getLocalPort() + "/", realTimer);
            StepVerifier.create(check.getOnce()).expectErrorMatches(e -> e instanceof IOException
                    && e.getMessage().contains("not an HTTP status line")).verify(Duration.ofSeconds(10));
            t.join(5000);
        }
    }

    @Test
    void anAttemptsBoundIsAQuarterOfTheWaitBetween50msAndTheConfiguredBound() {
        HttpCheck check = new HttpCheck(java.net.URI.create("http://" + ADDRESS + ":80/"), Duration.ofSeconds(2), realTimer);
        assertThat(check.attemptBound(0)).isEqualTo(Duration.ofMillis(50));
        assertThat(check.attemptBound(199)).isEqualTo(Duration.ofMillis(50));
        assertThat(check.attemptBound(1000)).isEqualTo(Duration.ofMillis(250));
        assertThat(check.attemptBound(6000)).isEqualTo(Duration.ofMillis(1500));
        assertThat(check.attemptBound(60_000)).isEqualTo(Duration.ofSeconds(2));
        HttpCheck tight = new HttpCheck(java.net.URI.create("http://" + ADDRESS + ":80/"), Duration.ofMillis(20), realTimer);
        assertThat(tight.attemptBound(0)).isEqualTo(Duration.ofMillis(20));
    }

    /**
     * A forwarder that accepts for a guest that does not listen yet (QEMU user-mode networking) holds
     * the first connection without an answer; the guest answers from the second on. On virtual time:
     * 51 ms after the start the first attempt has passed its bound, the next one gets the answer.
     */
    @Test
    void anAttemptHungOnAnAcceptingForwarderIsGivenUpSoonAndTheNextOneSeesTheGuest() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByAddress(TestProcesses.literal(ADDRESS)))) {
            java.util.concurrent.CountDownLatch firstAccepted = new java.util.concurrent.CountDownLatch(1);
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread t = new Thread(() -> {
                try {
                    java.net.Socket first = server.accept(); // the forwarder's: held, never answered
                    held.add(first);
                    firstAccepted.countDown();
                    while (!server.isClosed()) {
                        try (java.net.Socket s = server.accept()) {
                            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            s.getOutputStream().flush();
                            s.getInputStream().read(new byte[512]);
                        }
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "accepting-forwarder");
            t.setDaemon(true);
            t.start();
            VirtualTimeScheduler vts = VirtualTimeScheduler.create();
            HttpCheck check = new HttpCheck(java.net.URI.create("http://" + ADDRESS + ":" + server.getLocalPort() + "/"),
                    Duration.ofSeconds(2), vts);
            StepVerifier.create(check.await(null))
                    .then(() -> {
                        try {
                            assertThat(firstAccepted.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .then(() -> vts.advanceTimeBy(Duration.ofMillis(51))) // the first attempt's bound: 50 ms
                    .then(() -> vts.advanceTimeBy(Duration.ofMillis(5)))  // the retry's pause
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            for (java.net.Socket s : held) {
                s.close();
            }
            vts.dispose();
        }
    }

    @Test
    void httpAttemptFailsWhenNothingListens() throws IOException {
        int port = TestProcesses.freePort(ADDRESS);
        HttpCheck check = (HttpCheck) parse("http", "http://" + ADDRESS + ":" + port + "/", realTimer);
        StepVerifier.create(check.getOnce()).expectError(IOException.class).verify(Duration.ofSeconds(5));
    }

    /** A server on ADDRESS answering {@code failStatus} to the first {@code failures} requests, then 200. */
    private AtomicInteger startHttpServer(int failures, int failStatus) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        httpServer = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(TestProcesses.literal(ADDRESS)), 0), 16);
        httpServer.createContext("/", exchange -> {
            int n = requests.incrementAndGet();
            if (n <= failures) {
                exchange.getResponseHeaders().add("Location", redirectTo);
                exchange.sendResponseHeaders(failStatus, -1);
            } else {
                exchange.sendResponseHeaders(200, -1);
            }
            exchange.close();
        });
        httpServer.start();
        return requests;
    }

    /** A VM whose state() answers from a script (the last entry repeats). */
    private static final class ScriptedVm implements Vm {
        final VmState[] script;
        final AtomicInteger calls = new AtomicInteger();

        ScriptedVm(VmState... script) {
            this.script = script.length == 0 ? new VmState[] {VmState.RUNNING} : script;
        }

        @Override
        public String id() {
            return "scripted";
        }

        @Override
        public Backend backend() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mono<VmState> state() {
            return Mono.fromSupplier(() -> script[Math.min(calls.getAndIncrement(), script.length - 1)]);
        }

        @Override
        public Mono<Void> start() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> stop(StopMode mode, Duration grace) {
            return Mono.empty();
        }
    }
}
