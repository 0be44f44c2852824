package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.cli.Main;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the real server (config, process backend, pipeline, DNS front end) with services that
 * are real {@code busybox httpd} processes on 127.0.4.x, asked by real {@code dig} and a plain UDP
 * client, checked over HTTP. Each test uses its own service so that the tests do not depend on order.
 */
@Tag("native")
class QuickStartIT {
    private static final String PAGE = "<h1>jitsu quick start IT</h1>\n";
    private static final int COLD_PORT = JitsuServerExtension.freePort("127.0.4.1");
    private static final int CROWD_PORT = JitsuServerExtension.freePort("127.0.4.2");
    private static final int IDLE_PORT = JitsuServerExtension.freePort("127.0.4.3");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .file("www/index.html", PAGE)
            .config(dir -> String.join("\n",
                    "zones:",
                    "  - name: it.test",
                    "    nameservers: [ns1.it.test]",
                    "    hosts: {ns1.it.test: [127.0.0.1]}",
                    "idle: {check-interval: 200ms}",
                    "backends:",
                    "  local: {type: process}",
                    "services:",
                    httpd("cold", "127.0.4.1", COLD_PORT, dir, "idle-timeout: 60s", ""),
                    // Readiness waits 300 ms more, so that every one of the 200 queries arrives during the boot.
                    httpd("crowd", "127.0.4.2", CROWD_PORT, dir, "idle-timeout: 60s", "      - delay: 300ms"),
                    httpd("idle", "127.0.4.3", IDLE_PORT, dir, "idle-timeout: 1s", ""),
                    "  - id: broken",
                    "    names: [broken.it.test]",
                    "    addresses: [127.0.4.4]",
                    "    backend: local",
                    "    process: {command: [\"false\"]}",
                    // Far longer than dig waits: a SERVFAIL must come from the process exiting, not the timeout.
                    "    boot-timeout: 60s",
                    "    readiness: [{http: \"http://127.0.4.4:9/\"}]",
                    ""))
            .build();

    private static String httpd(String id, String address, int port, Path dir, String idle, String extraReadiness) {
        return JitsuServerExtension.httpd(id, "it.test", address, port, dir, extraReadiness, "ttl: 60", idle);
    }

    @Test
    void coldNameBootsTheServiceAndItServesAtOnce() throws Exception {
        DigAnswer a = DigAnswer.of(jitsu.dig("cold.it.test", "A"));
        assertThat(a.status()).isEqualTo("NOERROR");
        assertThat(a.addresses()).containsExactly("127.0.4.1");
        assertThat(a.authoritative()).isTrue();

        HttpResponse<String> page = get("http://127.0.4.1:" + COLD_PORT + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo(PAGE);
        assertThat(status("cold").boots()).isEqualTo(1);
        assertThat(status("cold").state()).isEqualTo(ServiceStatus.State.RUNNING);
    }

    @Test
    void twoHundredConcurrentQueriesShareOneBoot() throws Exception {
        int n = 200;
        Map<Integer, Reply> replies = new HashMap<>();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(ip("127.0.0.1"), 0))) {
            socket.connect(new InetSocketAddress(ip("127.0.0.1"), jitsu.port()));
            for (int id = 1; id <= n; id++) {
                byte[] q = RawDns.query(id, "crowd.it.test");
                socket.send(new DatagramPacket(q, q.length));
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            byte[] buf = new byte[1500];
            while (replies.size() < n && System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Reply r = RawDns.parse(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                replies.put(r.id(), r);
            }
        }
        assertThat(replies).as("answers to %d queries", n).hasSize(n);
        assertThat(replies.values()).allSatisfy(r -> {
            assertThat(r.rcode()).isZero();
            assertThat(r.addresses()).containsExactly("127.0.4.2");
        });
        assertThat(status("crowd").boots()).as("boots of the service").isEqualTo(1);
        assertThat(get("http://127.0.4.2:" + CROWD_PORT + "/").statusCode()).isEqualTo(200);
    }

    @Test
    void idleServiceIsStoppedAndBootsAgainOnTheNextQuery() throws Exception {
        String listen = "127.0.4.3:" + IDLE_PORT;
        assertThat(DigAnswer.of(jitsu.dig("idle.it.test", "A")).addresses()).containsExactly("127.0.4.3");
        ProcessHandle first = httpdProcess(listen).orElseThrow(() -> new AssertionError("no httpd on " + listen));

        await("the idle httpd to be stopped", () -> !first.isAlive() && httpdProcess(listen).isEmpty()
                && status("idle").state() == ServiceStatus.State.STOPPED);

        assertThat(DigAnswer.of(jitsu.dig("idle.it.test", "A")).addresses()).containsExactly("127.0.4.3");
        assertThat(status("idle").boots()).isEqualTo(2);
        Optional<ProcessHandle> second = httpdProcess(listen);
        assertThat(second).isPresent();
        assertThat(second.get().pid()).isNotEqualTo(first.pid());
        assertThat(get("http://" + listen + "/").statusCode()).isEqualTo(200);
    }

    @Test
    void serviceWhoseProcessExitsAtOnceGetsServfailQuickly() {
        // dig gives up after 10 s; the boot timeout is 60 s: only a failure noticed from the exit answers in time.
        DigAnswer a = DigAnswer.of(jitsu.dig("broken.it.test", "A", "+time=10"));
        assertThat(a.status()).isEqualTo("SERVFAIL");
        assertThat(status("broken").failures()).isGreaterThanOrEqualTo(1);
        assertThat(status("broken").boots()).isZero();
    }

    @Test
    void checkAcceptsTheQuickStartConfig() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"check", "--config", "../config/jitsu.yml"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("../config/jitsu.yml: ok (1 zone, 1 service)\n");
    }

    @Test
    void checkOnABrokenConfigExitsWithTwoAndNamesTheKey(@TempDir Path dir) throws IOException {
        String quickStart = Files.readString(Path.of("..", "config", "jitsu.yml"));
        Path file = Files.writeString(dir.resolve("broken.yml"), quickStart.replace("      command:", "      comand:"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"check", "--config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("jitsu: " + file + ": services[0].process.");
        assertThat(err.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(1);
    }

    // ---- helpers

    private static ServiceStatus status(String id) {
        return jitsu.server().pipeline().core().status(id).orElseThrow();
    }

    private static java.net.InetAddress ip(String s) {
        return IpLiteral.parse(s).orElseThrow();
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The live busybox httpd listening on {@code listen} (unique to this test run), if any. */
    private static Optional<ProcessHandle> httpdProcess(String listen) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(listen)).orElse(false))
                .findFirst();
    }

    /** Polls {@code condition} until it holds, failing after {@link #WAIT}. */
    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, WAIT, condition);
    }

    /** What dig printed, reduced to the status, the AA flag and the A/AAAA addresses in the answer. */
    record DigAnswer(String status, boolean authoritative, List<String> addresses, String output) {
        private static final Pattern STATUS = Pattern.compile("status: ([A-Z]+)");
        private static final Pattern FLAGS = Pattern.compile(";; flags:([^;]*);");
        private static final Pattern ADDRESS = Pattern.compile("(?m)^\\S+\\s+\\d+\\s+IN\\s+(?:A|AAAA)\\s+(\\S+)$");

        static DigAnswer of(DnsTools.Result r) {
            assertThat(r.exitCode()).as("dig exit code; output:%n%s%s", r.stdout(), r.stderr()).isZero();
            Matcher s = STATUS.matcher(r.stdout());
            assertThat(s.find()).as("status in dig output:%n%s", r.stdout()).isTrue();
            Matcher f = FLAGS.matcher(r.stdout());
            boolean aa = f.find() && List.of(f.group(1).trim().split("\\s+")).contains("aa");
            List<String> addresses = new ArrayList<>();
            Matcher a = ADDRESS.matcher(r.stdout());
            while (a.find()) {
                addresses.add(a.group(1));
            }
            return new DigAnswer(s.group(1), aa, addresses, r.stdout());
        }
    }

    /** One parsed UDP reply. */
    record Reply(int id, int rcode, List<String> addresses) {
    }

    /** A minimal DNS client for the concurrency test: A queries out, id, rcode and A records in. */
    static final class RawDns {
        private RawDns() {
        }

        static byte[] query(int id, String name) {
            ByteBuffer b = ByteBuffer.allocate(512);
            b.putShort((short) id).putShort((short) 0).putShort((short) 1).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0);
            for (String label : name.split("\\.")) {
                b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
            }
            b.put((byte) 0).putShort((short) 1).putShort((short) 1);
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        }

        static Reply parse(ByteBuffer b) {
            int id = b.getShort() & 0xffff;
            int flags = b.getShort() & 0xffff;
            int qd = b.getShort() & 0xffff;
            int an = b.getShort() & 0xffff;
            b.getShort();
            b.getShort();
            for (int i = 0; i < qd; i++) {
                skipName(b);
                b.getInt();
            }
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < an; i++) {
                skipName(b);
                int type = b.getShort() & 0xffff;
                b.getShort();
                b.getInt();
                int len = b.getShort() & 0xffff;
                byte[] rdata = new byte[len];
                b.get(rdata);
                if (type == 1 && len == 4) {
                    addresses.add((rdata[0] & 0xff) + "." + (rdata[1] & 0xff) + "." + (rdata[2] & 0xff) + "."
                            + (rdata[3] & 0xff));
                }
            }
            return new Reply(id, flags & 0xf, addresses);
        }

        private static void skipName(ByteBuffer b) {
            while (true) {
                int len = b.get() & 0xff;
                if (len == 0) {
                    return;
                }
                if ((len & 0xc0) == 0xc0) {
                    b.get();
                    return;
                }
                b.position(b.position() + len);
            }
        }
    }
}
