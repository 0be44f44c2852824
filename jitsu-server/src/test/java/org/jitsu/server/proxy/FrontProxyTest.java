package org.jitsu.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.OnDemandCore;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.dns.NettyLeakExtension;
import org.jitsu.server.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The front on real loopback sockets, in front of the on-demand core on virtual time with the test
 * kit's scripted VM; the "service" is an echo server on another loopback address. Netty's paranoid
 * leak detector runs in every test JVM: a buffer the front forgets fails the test.
 */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class FrontProxyTest {
    private static final String FRONT = "127.0.0.3";
    private static final Duration IDLE = Duration.ofSeconds(5);

    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private final RecordingProxyMetrics metrics = new RecordingProxyMetrics();
    private final List<AutoCloseable> open = new ArrayList<>();
    private EchoServer echo;
    private ScriptedVm vm;
    private OnDemandCore core;
    private ConnectionBook book;
    private int frontPort;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        timer.dispose();
    }

    /** The service "web" behind a front; its VM's start waits for {@code started} when given. */
    private void start(HoldOptions options, Mono<Void> started) throws Exception {
        echo = add(new EchoServer("127.0.0.2"));
        frontPort = freePort();
        vm = backend.vm("web");
        if (started != null) {
            vm.startWith(started);
        }
        HoldSettings hold = new HoldSettings(List.of(InetAddress.getByName(FRONT)),
                List.of(new HeldPort(frontPort, echo.port(), options.http)), options.maxHeld, options.buffer,
                options.drain, options.activeWithin, Duration.ofSeconds(7), options.window, options.settle);
        book = new ConnectionBook(Map.of("web", hold), new ProxySettings(options.maxHeldTotal, 1), timer);
        ServiceDefinition def = new ServiceDefinition("web", List.of(echo.address()), vm, List.of(),
                Duration.ofSeconds(5), IDLE, StopMode.DESTROY, Duration.ofSeconds(1));
        core = OnDemandCore.builder().services(List.of(def)).timer(timer).traffic(book)
                .idleCheckInterval(Duration.ofSeconds(1)).build();
        add(core::close);
        core.start().block(Duration.ofSeconds(10));
        FrontProxy front = FrontProxy.bind(new ProxySettings(options.maxHeldTotal, 1), book, core::service, metrics)
                .block(Duration.ofSeconds(10));
        add(front);
        assertThat(front.addresses()).containsExactly(new InetSocketAddress(FRONT, frontPort));
    }

    private record HoldOptions(int maxHeld, int maxHeldTotal, int buffer, Duration drain, Duration activeWithin,
                               boolean http, int window, Duration settle) {
        static HoldOptions defaults() {
            return new HoldOptions(256, 4096, 64 * 1024, Duration.ofSeconds(2), Duration.ofSeconds(30), false,
                    HoldSettings.DEFAULT_RELEASE_WINDOW, HoldSettings.DEFAULT_RELEASE_SETTLE);
        }

        HoldOptions maxHeld(int perService, int total) {
            return new HoldOptions(perService, total, buffer, drain, activeWithin, http, window, settle);
        }

        HoldOptions buffer(int bytes) {
            return new HoldOptions(maxHeld, maxHeldTotal, bytes, drain, activeWithin, http, window, settle);
        }

        HoldOptions onHttp() {
            return new HoldOptions(maxHeld, maxHeldTotal, buffer, drain, activeWithin, true, window, settle);
        }

        HoldOptions release(int places, Duration settlePeriod) {
            return new HoldOptions(maxHeld, maxHeldTotal, buffer, drain, activeWithin, http, places, settlePeriod);
        }
    }

    private ManagedService web() {
        return core.service("web").orElseThrow();
    }

    private ConnectionBook.Ledger ledger() {
        return book.ledger("web").orElseThrow();
    }

    @Test
    void connectionsAcceptedDuringTheBootAreHeldThenSplicedOnceReady() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults(), boot.asMono());
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Socket s = connect();
            s.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            clients.add(s);
        }
        Await.until("50 connections held", () -> ledger().held() == 50);
        assertThat(vm.starts()).as("one boot for all of them").isEqualTo(1);
        assertThat(web().status().state()).isEqualTo(State.BOOTING);
        assertThat(echo.accepted()).as("nothing reaches the service before it is ready").isZero();

        boot.tryEmitEmpty();
        for (int i = 0; i < clients.size(); i++) {
            assertThat(readLine(clients.get(i))).isEqualTo("hello " + i);
        }
        assertThat(ledger().held()).isZero();
        assertThat(ledger().open()).isEqualTo(50);
        assertThat(echo.accepted()).isEqualTo(50);
        assertThat(metrics.held).hasSize(50);
        assertThat(ledger().bytesToService()).isEqualTo(ledger().bytesToClient()).isPositive();
        for (Socket s : clients) {
            s.close();
        }
        Await.until("the front forgets closed connections", () -> ledger().open() == 0);
    }

    @Test
    void aConnectionToARunningServiceIsSplicedAtOnce() throws Exception {
        start(HoldOptions.defaults(), null);
        web().start().block(Duration.ofSeconds(5));
        try (Socket s = connect()) {
            s.getOutputStream().write("warm\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(s)).isEqualTo("warm");
        }
        assertThat(metrics.held).as("not held: no cold start recorded").isEmpty();
        assertThat(vm.starts()).isEqualTo(1);
    }

    @Test
    void heldConnectionsReachTheReadyServiceThroughTheWindowAPlaceFreedByAFirstByteOrAClose() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().release(2, Duration.ofHours(1)), boot.asMono());
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(connect()); // they send nothing: the echo service stays silent until a client speaks
        }
        Await.until("5 connections held", () -> ledger().held() == 5);
        boot.tryEmitEmpty();
        Await.until("two released, three waiting", () -> ledger().window().waiting() == 3);
        Await.until("the service accepted the two", () -> echo.accepted() == 2);
        assertThat(ledger().window().taken()).isEqualTo(2);
        assertThat(ledger().held()).as("waiting for a place still counts as held").isEqualTo(3);

        clients.get(0).getOutputStream().write("first\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(clients.get(0))).isEqualTo("first");
        Await.until("the service's first byte freed a place", () -> echo.accepted() == 3);
        clients.get(1).close();
        Await.until("a close freed a place", () -> echo.accepted() == 4);
        assertThat(ledger().window().waiting()).isOne();

        try (Socket late = connect()) { // the service runs, but one is still waiting: the newcomer queues behind it
            Await.until("the newcomer waits its turn", () -> ledger().window().waiting() == 2);
            assertThat(ledger().held()).as("a newcomer to a running service was never held").isOne();
            clients.get(2).close();
            clients.get(3).close();
            Await.until("the last held one and the newcomer reached the service", () -> echo.accepted() == 6);
            late.getOutputStream().write("late\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(late)).isEqualTo("late");
        }
        Await.until("the newcomer's place came back with its first byte", () -> ledger().window().taken() == 1);
        assertThat(ledger().window().waiting()).isZero();
        assertThat(metrics.resets).isEmpty();
    }

    @Test
    void aServiceThatSendsNothingFirstGetsTheNextConnectionOnceTheSettlePeriodPasses() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().release(1, Duration.ofMillis(20)), boot.asMono());
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(connect());
        }
        Await.until("4 connections held", () -> ledger().held() == 4);
        boot.tryEmitEmpty();
        Await.until("all four reached the silent service, one after another", () -> echo.accepted() == 4);
        Await.until("every place given back", () -> ledger().window().taken() == 0);
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).getOutputStream().write(("s" + i + "\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(clients.get(i))).isEqualTo("s" + i);
        }
    }

    @Test
    void aFailedBootResetsHeldConnectionsOnATcpPort() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults(), boot.asMono());
        Socket a = connect();
        Socket b = connect();
        a.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
        Await.until("two held", () -> ledger().held() == 2);
        boot.tryEmitError(new IllegalStateException("the VM would not start"));
        assertReset(a);
        assertReset(b);
        assertThat(metrics.resets).containsExactly("web:" + ProxyMetrics.BOOT_FAILED, "web:" + ProxyMetrics.BOOT_FAILED);
        Await.until("nothing held or open", () -> ledger().held() == 0 && ledger().open() == 0);
        assertThat(book.heldTotal()).isZero();
    }

    @Test
    void aFailedBootAnswers503WithRetryAfterOnAnHttpPort() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().onHttp(), boot.asMono());
        try (Socket s = connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Await.until("held", () -> ledger().held() == 1);
            boot.tryEmitError(new IllegalStateException("the VM would not start"));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("\r\nRetry-After: 7\r\n")
                    .contains("\r\nConnection: close\r\n").contains("service web is unavailable");
        }
        assertThat(metrics.resets).containsExactly("web:" + ProxyMetrics.BOOT_FAILED);
    }

    @Test
    void beyondTheServiceBoundANewConnectionIsResetAtOnceAndTheHeldOnesAreServed() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().maxHeld(2, 4096), boot.asMono());
        Socket a = connect();
        Socket b = connect();
        Await.until("two held", () -> ledger().held() == 2);
        assertRefused();
        assertThat(metrics.resets).containsExactly("web:" + ProxyMetrics.LIMIT);
        boot.tryEmitEmpty();
        for (Socket s : List.of(a, b)) {
            s.getOutputStream().write("served\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(s)).isEqualTo("served");
            s.close();
        }
    }

    @Test
    void theOverallBoundCountsEveryService() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().maxHeld(10, 1), boot.asMono());
        Socket a = connect();
        Await.until("one held", () -> ledger().held() == 1);
        assertRefused();
        assertThat(book.heldTotal()).isEqualTo(1);
        a.setSoLinger(true, 0);
        a.close(); // the client gives up with a reset (a FIN could be a half-close: the front keeps holding)
        Await.until("the place is given back", () -> book.heldTotal() == 0 && ledger().held() == 0);
    }

    @Test
    void aHeldClientThatSendsMoreThanTheBufferLosesNothing() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults().buffer(1024), boot.asMono());
        byte[] payload = new byte[256 * 1024];
        new Random(12).nextBytes(payload);
        Socket s = connect();
        Queue<Throwable> writerErrors = new ConcurrentLinkedQueue<>();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(payload); // blocks once the front stops reading and the windows fill
                s.shutdownOutput();
            } catch (IOException e) {
                writerErrors.add(e);
            }
        });
        writer.start();
        Await.until("held", () -> ledger().held() == 1);
        boot.tryEmitEmpty();
        byte[] back = s.getInputStream().readAllBytes(); // the echo shuts down after our half-close
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(writerErrors).isEmpty();
        assertThat(back).hasSize(payload.length);
        assertThat(Arrays.equals(back, payload)).as("the bytes came back intact, in order").isTrue();
        s.close();
    }

    @Test
    void anOpenConnectionThatCarriesDataKeepsTheServiceFromItsIdleStop() throws Exception {
        start(HoldOptions.defaults(), null); // active-within 30 s, idle timeout 5 s, idle check every 1 s
        Socket s = connect();
        s.getOutputStream().write("start\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(s)).isEqualTo("start");
        for (int i = 0; i < 6; i++) { // a stream that sends every 10 s, twice the idle timeout
            timer.advanceTimeBy(Duration.ofSeconds(10));
            assertThat(web().status().state()).as("after " + (i + 1) * 10 + " s").isEqualTo(State.RUNNING);
            s.getOutputStream().write(("tick " + i + "\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(s)).isEqualTo("tick " + i);
        }
        assertThat(vm.stops()).isEmpty();

        // silent from now on: 30 s later (active-within) it no longer counts, and the service has been idle
        // for longer than its idle timeout since the last data: the stop begins, with the drain
        timer.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(web().status().state()).as("the drain holds the stop").isEqualTo(State.STOPPING);
        assertThat(s.isClosed()).isFalse();
        timer.advanceTimeBy(Duration.ofSeconds(3)); // past the 2 s drain: the connection is reset
        assertReset(s);
        Await.until("stopped", () -> web().status().state() == State.STOPPED);
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(metrics.resets).containsExactly("web:" + ProxyMetrics.DRAINED);
    }

    @Test
    void aStopWaitsForOpenConnectionsToCloseWithinTheDrain() throws Exception {
        start(HoldOptions.defaults(), null);
        web().start().block(Duration.ofSeconds(5));
        Socket s = connect();
        s.getOutputStream().write("a\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(s)).isEqualTo("a");
        List<Boolean> stopped = new CopyOnWriteArrayList<>();
        web().stop("operator").subscribe(null, e -> { }, () -> stopped.add(true));
        assertThat(stopped).as("the stop waits for the open connection").isEmpty();
        assertThat(vm.stops()).isEmpty();
        s.close(); // the client finishes within the drain
        Await.until("the stop completes once it closed", () -> !stopped.isEmpty());
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(metrics.resets).isEmpty();
    }

    @Test
    void aConnectionArrivingDuringADrainIsHeldForTheNextBootNotDrained() throws Exception {
        start(HoldOptions.defaults(), null);
        web().start().block(Duration.ofSeconds(5));
        Socket a = connect();
        a.getOutputStream().write("a\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(a)).isEqualTo("a");
        web().stop("operator").subscribe();
        Socket b = connect(); // the service is stopping: held until it boots again
        b.getOutputStream().write("b\n".getBytes(StandardCharsets.US_ASCII));
        Await.until("b held", () -> ledger().held() == 1);
        timer.advanceTimeBy(Duration.ofSeconds(3)); // the 2 s drain ends: a is reset, b is not
        assertReset(a);
        assertThat(readLine(b)).as("served after the next boot").isEqualTo("b");
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(vm.starts()).isEqualTo(2);
        assertThat(metrics.resets).containsExactly("web:" + ProxyMetrics.DRAINED);
    }

    @Test
    void aHalfCloseIsPassedThroughAndTheAnswerStillComes() throws Exception {
        start(HoldOptions.defaults(), null);
        web().start().block(Duration.ofSeconds(5));
        try (Socket s = connect()) {
            s.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("request");
        }
        Await.until("closed on both sides", () -> ledger().open() == 0);
    }

    @Test
    void aHalfCloseWhileHeldIsPassedOnAfterTheBufferedRequest() throws Exception {
        Sinks.Empty<Void> boot = Sinks.empty();
        start(HoldOptions.defaults(), boot.asMono());
        try (Socket s = connect()) {
            s.getOutputStream().write("whole request".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            Await.until("held", () -> ledger().held() == 1);
            boot.tryEmitEmpty();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("whole request");
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(FRONT, frontPort), 5000);
        s.setSoTimeout(20_000);
        open.add(s);
        return s;
    }

    private static String readLine(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString();
    }

    private static void assertReset(Socket s) {
        assertThatThrownBy(() -> {
            int n = s.getInputStream().read();
            if (n < 0) {
                throw new AssertionError("an orderly end of stream, not a reset");
            }
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    /** A new connection is reset at once: during the connect already, or at the first read. */
    private void assertRefused() {
        assertThatThrownBy(() -> {
            Socket s = connect();
            if (s.getInputStream().read() < 0) {
                throw new AssertionError("an orderly end of stream, not a reset");
            }
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(FRONT, 0));
            return probe.getLocalPort();
        }
    }

    private <T extends AutoCloseable> T add(T resource) {
        open.add(resource);
        return resource;
    }

    /** The front's events, as "service:reason" for resets and one entry per cold start. */
    static final class RecordingProxyMetrics implements ProxyMetrics {
        final List<String> resets = new CopyOnWriteArrayList<>();
        final List<long[]> held = new CopyOnWriteArrayList<>();

        @Override
        public void held(String service, long waitNanos, long connectNanos, long firstByteNanos) {
            held.add(new long[] {waitNanos, connectNanos, firstByteNanos});
        }

        @Override
        public void reset(String service, String reason) {
            resets.add(service + ":" + reason);
        }
    }
}
