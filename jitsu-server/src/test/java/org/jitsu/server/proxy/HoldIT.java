package org.jitsu.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.NettyLeakExtension;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.Closer;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.Netns;
import org.jitsu.server.testing.Prometheus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answer at once, hold the connection, end to end: the real server (config, process backend, DNS
 * front end, the front) with services that are real {@code busybox httpd} processes on 127.0.12.x,
 * asked by real {@code dig} and {@code curl} and by plain sockets. A service's readiness waits for a
 * TCP connect to a "gate" the test opens when it wants the boot to end, so that what is held during the
 * boot is seen held, without timing. Each test has its own service. Netty's paranoid leak detector
 * watches the server's buffers.
 */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class HoldIT {
    private static final String PAGE = "<h1>held, then spliced</h1>\n";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Service CURL = new Service("curl", 1, "");
    private static final Service CROWD = new Service("crowd", 2, "max-held: 300");
    private static final Service BOUNDED = new Service("bounded", 3, "max-held: 3");
    private static final int BROKEN_HTTP = JitsuServerExtension.freePort("127.0.12.14");
    private static final int BROKEN_RAW = JitsuServerExtension.freePort("127.0.12.14");

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .file("www/index.html", PAGE)
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: hold.test",
                    "    nameservers: [ns1.hold.test]",
                    "    hosts: {ns1.hold.test: [127.0.0.1]}",
                    "backends:",
                    "  local: {type: process}",
                    "services:",
                    CURL.yaml(dir),
                    CROWD.yaml(dir),
                    BOUNDED.yaml(dir),
                    "  - id: broken",
                    "    names: [broken.hold.test]",
                    "    addresses: [127.0.12.4]",
                    "    backend: local",
                    "    process: {command: [\"false\"]}",
                    "    readiness: [{http: \"http://127.0.12.4:9/\"}]",
                    "    boot-timeout: 60s", // a reset must come from the exit, long before the timeout
                    "    answer: at-once",
                    "    hold:",
                    "      front: [127.0.12.14]",
                    "      ports:",
                    "        - {port: " + BROKEN_HTTP + ", to: 80, http: true}",
                    "        - {port: " + BROKEN_RAW + ", to: 81}",
                    "      retry-after: 7s",
                    ""))
            .build();

    @RegisterExtension
    final Closer open = new Closer();

    /**
     * A busybox httpd service {@code ID.hold.test} on 127.0.12.N, fronted on 127.0.12.(10+N), whose
     * readiness waits for the test's gate on 127.0.12.(100+N) before it asks for the page.
     */
    record Service(String id, int n, String holdExtra) {
        String address() {
            return "127.0.12." + n;
        }

        String front() {
            return "127.0.12." + (10 + n);
        }

        String gateAddress() {
            return "127.0.12." + (100 + n);
        }

        int port() {
            return Ports.of(this)[0];
        }

        int frontPort() {
            return Ports.of(this)[1];
        }

        int gatePort() {
            return Ports.of(this)[2];
        }

        String yaml(Path dir) {
            return JitsuServerExtension.httpd(id, "hold.test", address(), port(), dir,
                    "      - tcp: " + gateAddress() + ":" + gatePort() + "\n      - http: http://" + address() + ":"
                            + port() + "/",
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("ttl: 30", "idle-timeout: 10m",
                            "answer: at-once", "hold:", "  front: [" + front() + "]",
                            "  ports: [{port: " + frontPort() + ", to: " + port() + ", http: true}]"),
                            java.util.Arrays.stream((holdExtra.isEmpty() ? "buffer: 16KiB" : holdExtra).split("\n"))
                                    .map(line -> "  " + line)).toArray(String[]::new));
        }

        /** Opens the gate: the boot's readiness passes once the service answers HTTP. */
        ServerSocket openGate() throws IOException {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName(gateAddress()), gatePort()));
            return s;
        }
    }

    /** Free ports per service, chosen once: the service's own, the front's, the gate's. */
    private static final class Ports {
        private static final Map<String, int[]> PORTS = new ConcurrentHashMap<>();

        static int[] of(Service s) {
            return PORTS.computeIfAbsent(s.id(), id -> new int[] {JitsuServerExtension.freePort(s.address()),
                    JitsuServerExtension.freePort(s.front()), JitsuServerExtension.freePort(s.gateAddress())});
        }
    }

    @Test
    void digIsAnsweredAtOnceWithTheFrontAndCurlGetsThePageOnceTheBootEnds() throws Exception {
        DnsTools.Result cold = jitsu.dig("curl.hold.test", "A", "+short");
        assertThat(cold.stdout().trim()).as("the at-once answer: the front").isEqualTo(CURL.front());
        assertThat(status(CURL).state()).as("the answer did not wait for the boot").isEqualTo(ServiceStatus.State.BOOTING);

        // curl connects while the service boots; the gate opens once the front holds its connection.
        List<String> curl = List.of("curl", "-s", "--noproxy", "*", "--max-time", "20", "-o", "-", "-w",
                "\\n%{http_code} %{time_connect} %{time_starttransfer}", "http://" + CURL.front() + ":" + CURL.frontPort() + "/");
        CompletableFuture<DnsTools.Result> page = CompletableFuture.supplyAsync(() -> DnsTools.run(curl, 30));
        Await.until("curl's connection held", WAIT, () -> held(CURL) == 1);
        open.add(CURL.openGate());

        DnsTools.Result r = page.get();
        assertThat(r.exitCode()).as("curl exit status; stderr: %s", r.stderr()).isZero();
        String[] lines = r.stdout().split("\n");
        String[] figures = lines[lines.length - 1].split(" ");
        assertThat(figures[0]).as("HTTP status").isEqualTo("200");
        assertThat(r.stdout()).startsWith(PAGE);
        System.out.printf("HoldIT: curl through a held connection: connect %s s, first byte %s s%n", figures[1],
                figures[2]);
        assertThat(status(CURL).state()).isEqualTo(ServiceStatus.State.RUNNING);
        assertThat(jitsu.dig("curl.hold.test", "A", "+short").stdout().trim())
                .as("once it runs, the service's own address").isEqualTo(CURL.address());
        assertThat(get(CURL.front(), CURL.frontPort()).statusCode()).as("the front splices at once now").isEqualTo(200);
        assertThat(status(CURL).boots()).isEqualTo(1);
    }

    @Test
    void twoHundredConnectionsOpenedDuringABootAreAllServedOnceItIsReady() throws Exception {
        int n = 200;
        assertThat(jitsu.dig("crowd.hold.test", "A", "+short").stdout().trim()).isEqualTo(CROWD.front());
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = open.add(connect(CROWD.front(), CROWD.frontPort()));
            s.getOutputStream().write(request(CROWD.front()));
            sockets.add(s);
        }
        Await.until("200 connections held", WAIT, () -> held(CROWD) == n);
        assertThat(status(CROWD).state()).isEqualTo(ServiceStatus.State.BOOTING);
        long overflowsBefore = Netns.hostCounter("TcpExtListenOverflows");
        long gate = System.nanoTime();
        open.add(CROWD.openGate());

        // httpd's listen backlog is 9: the front releases the 200 through its window of 8, else the
        // overflowing SYNs and ACKs are dropped and clients wait out TCP's back-off (seen: 33 s on one CPU)
        for (Socket s : sockets) {
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(reply).startsWith("HTTP/1.").contains(" 200 ").endsWith(PAGE);
            s.close(); // httpd closed its side; the front passed the FIN on and keeps the other half until now
        }
        System.out.printf("HoldIT: 200 held connections served %.1f ms after the gate opened;"
                + " listen overflows on this host meanwhile: %d%n", (System.nanoTime() - gate) / 1e6,
                Netns.hostCounter("TcpExtListenOverflows") - overflowsBefore);
        Prometheus m = metrics();
        assertThat(m.value("jitsu_proxy_connections_accepted_total", "service", "crowd")).isEqualTo(n);
        assertThat(m.value("jitsu_proxy_hold_duration_seconds_count", "service", "crowd")).isEqualTo(n);
        assertThat(m.samples("jitsu_proxy_resets_total", "service", "crowd")).isEmpty();
        assertThat(m.value("jitsu_proxy_spliced_bytes_total", "service", "crowd", "direction", "to-client"))
                .as("every reply came through the splice").isGreaterThanOrEqualTo((double) n * PAGE.length());
        Await.until("the connections closed", WAIT, () -> metrics().value("jitsu_proxy_connections_open",
                "service", "crowd") == 0);
        assertThat(status(CROWD).boots()).as("one boot for 200 connections").isEqualTo(1);
    }

    @Test
    void beyondItsHeldBoundAServiceRefusesNewConnectionsAtOnceAndServesTheHeldOnes() throws Exception {
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = open.add(connect(BOUNDED.front(), BOUNDED.frontPort()));
            s.getOutputStream().write(request(BOUNDED.front()));
            held.add(s);
        }
        Await.until("3 connections held", WAIT, () -> held(BOUNDED) == 3);
        assertThat(connectAndRead(BOUNDED.front(), BOUNDED.frontPort())).as("the fourth, beyond max-held: 3")
                .isEqualTo("reset");
        assertThat(metrics().value("jitsu_proxy_resets_total", "service", "bounded", "reason", "limit")).isEqualTo(1);

        open.add(BOUNDED.openGate());
        for (Socket s : held) {
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).contains(" 200 ")
                    .endsWith(PAGE);
        }
    }

    @Test
    void aFailedBootAnswersHeldHttpConnectionsWith503AndResetsTheOthers() throws Exception {
        assertThat(jitsu.dig("broken.hold.test", "A", "+short").stdout().trim()).isEqualTo("127.0.12.14");
        Socket http = open.add(connect("127.0.12.14", BROKEN_HTTP));
        http.getOutputStream().write(request("127.0.12.14"));
        Socket raw = open.add(connect("127.0.12.14", BROKEN_RAW));
        raw.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));

        long start = System.nanoTime();
        String reply = new String(http.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(reply).startsWith("HTTP/1.1 503 ").containsIgnoringCase("\r\nRetry-After: 7\r\n");
        assertThat(readOrReset(raw)).as("a port without http: true").isEqualTo("reset");
        System.out.printf("HoldIT: a boot that fails (the process exits) answered its held connections in %.1f ms%n",
                (System.nanoTime() - start) / 1e6);
        assertThat(status("broken").failures()).isGreaterThanOrEqualTo(1);
        Await.until("both counted", WAIT, () -> metrics().value("jitsu_proxy_resets_total", "service", "broken",
                "reason", "boot-failed") >= 2);
    }

    // ---- helpers

    private static ServiceStatus status(Service s) {
        return status(s.id());
    }

    private static ServiceStatus status(String id) {
        return jitsu.server().pipeline().core().status(id).orElseThrow();
    }

    private static double held(Service s) {
        return metrics().value("jitsu_proxy_connections_held", "service", s.id());
    }

    private static Prometheus metrics() {
        try {
            return Prometheus.parse(get(jitsu.adminUrl() + "/metrics").body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> get(String host, int port) throws IOException, InterruptedException {
        return get("http://" + host + ":" + port + "/");
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).connectTimeout(WAIT).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setSoTimeout((int) WAIT.toMillis());
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), (int) WAIT.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static byte[] request(String host) {
        return ("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** "reset" when the connection is reset, else what was read until the end of the stream. */
    /** Connects and reads to the end: "reset" if the front resets it, during the connect already or after. */
    private String connectAndRead(String address, int port) throws IOException {
        Socket s;
        try {
            s = open.add(connect(address, port));
        } catch (SocketException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return "reset"; // the front's reset came before the connect returned
            }
            throw e;
        }
        return readOrReset(s);
    }

    private static String readOrReset(Socket s) throws IOException {
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return "reset";
            }
            throw e;
        }
    }
}
