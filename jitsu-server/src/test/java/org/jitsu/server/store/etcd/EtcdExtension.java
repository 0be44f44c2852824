package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts Debian's etcd (package {@code etcd-server}) for each test on free loopback ports with a
 * temporary data directory and fast test settings ({@code --heartbeat-interval=10
 * --election-timeout=50}); stops it by PID afterwards, also when the test failed. {@link #kill()} and
 * {@link #restart()} let a test take it away and bring it back with its data and ports.
 */
public final class EtcdExtension implements BeforeEachCallback, AfterEachCallback {
    private Path dir;
    private int clientPort;
    private int peerPort;
    private Process process;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jitsu-etcd-");
        clientPort = JitsuServerExtension.freePort("127.0.0.1");
        peerPort = JitsuServerExtension.freePort("127.0.0.1");
        start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        kill();
        deleteTree(dir);
    }

    /** {@code 127.0.0.1:PORT} of the client URL. */
    public String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    public int clientPort() {
        return clientPort;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts etcd (again) on the same ports and data directory; returns once it accepts connections. */
    public void restart() throws IOException {
        start();
    }

    /** SIGKILL by PID; waits until it is gone. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("etcd exited after SIGKILL").isTrue();
        }
    }

    private void start() throws IOException {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        process = new ProcessBuilder(List.of("etcd", "--name", "jitsu-test", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "jitsu-test=" + peer, "--initial-cluster-state", "new",
                "--heartbeat-interval=10", "--election-timeout=50", "--logger=zap", "--log-level=warn"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!accepts()) {
            assertThat(process.isAlive()).as("etcd runs (see " + dir.resolve("etcd.log") + ")").isTrue();
            assertThat(System.nanoTime()).as("etcd accepts connections on " + client).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(org.jitsu.backend.spi.IpLiteral.parse("127.0.0.1").orElseThrow(), clientPort), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
