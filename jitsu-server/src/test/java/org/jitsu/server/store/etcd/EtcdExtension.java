package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts Debian's etcd (package {@code etcd-server}) for each test on free loopback ports with a
 * temporary data directory and fast test settings ({@code --heartbeat-interval=10
 * --election-timeout=50}); stops it by PID afterwards, also when the test failed. {@link #kill()} and
 * {@link #restart()} let a test take it away and bring it back with its data and ports.
 *
 * <p>{@link #withTls()}: certificates made for this run with {@code openssl} in the temporary directory
 * (a CA, a server certificate for IP 127.0.0.1, a client certificate; and a second, untrusted CA with
 * its own client certificate), etcd on https with {@code --client-cert-auth}. {@link #withAuth()}:
 * users {@code root} and {@code jitsu} (role {@code jitsu}: read-write on keys under {@code /}) made
 * with {@code etcdctl}, then {@code auth enable}. {@link #etcdctl} runs etcdctl with what it needs.
 */
public final class EtcdExtension implements BeforeEachCallback, AfterEachCallback {
    /** The password of etcd user {@code jitsu} with {@link #withAuth()}. */
    public static final String PASSWORD = "jitsu-secret";
    private static final String ROOT = "root:root-secret";

    private final boolean tls;
    private final boolean auth;
    private Path dir;
    private int clientPort;
    private int peerPort;
    private Process process;

    public EtcdExtension() {
        this(false, false);
    }

    private EtcdExtension(boolean tls, boolean auth) {
        this.tls = tls;
        this.auth = auth;
    }

    /** etcd on https, client certificates required. */
    public EtcdExtension withTls() {
        return new EtcdExtension(true, auth);
    }

    /** etcd with authentication: user {@code jitsu}, password {@link #PASSWORD}. */
    public EtcdExtension withAuth() {
        return new EtcdExtension(tls, true);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jitsu-etcd-");
        clientPort = JitsuServerExtension.freePort("127.0.0.1");
        peerPort = JitsuServerExtension.freePort("127.0.0.1");
        if (tls) {
            certificates();
        }
        start();
        if (auth) {
            etcdctl("user", "add", ROOT);
            etcdctl("user", "add", "jitsu:" + PASSWORD);
            etcdctl("role", "add", "jitsu");
            etcdctl("role", "grant-permission", "jitsu", "--prefix=true", "readwrite", "/");
            etcdctl("user", "grant-role", "jitsu", "jitsu");
            etcdctl("auth", "enable");
        }
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

    /** The temporary directory (data, log, certificates). */
    public Path dir() {
        return dir;
    }

    /** A PEM file made by {@link #withTls()}: ca.pem, client.pem, client.key, other-ca.pem, other-client.pem/.key. */
    public Path pem(String name) {
        return dir.resolve("tls").resolve(name);
    }

    /**
     * Settings for a store on this etcd through {@code endpoint}, with the CA and client certificate
     * (TLS) and user {@code jitsu} (auth) this etcd was started with.
     */
    public StoreSettings.Etcd settings(String endpoint, String prefix, String instance,
                                       StoreSettings.OnUnavailable onUnavailable) {
        InetSocketAddress a = new InetSocketAddress(IpLiteral.parse(endpoint.substring(0, endpoint.indexOf(':')))
                .orElseThrow(), Integer.parseInt(endpoint.substring(endpoint.indexOf(':') + 1)));
        return new StoreSettings.Etcd(List.of(a), prefix, instance, Duration.ofSeconds(5), tls,
                tls ? Optional.of(pem("ca.pem")) : Optional.empty(),
                tls ? Optional.of(pem("client.pem")) : Optional.empty(),
                tls ? Optional.of(pem("client.key")) : Optional.empty(),
                auth ? Optional.of("jitsu") : Optional.empty(), auth ? Optional.of(PASSWORD) : Optional.empty(),
                onUnavailable);
    }

    /**
     * The first lines (no final newline) of a Jitsu test config with an etcd store: DNS on
     * 127.0.0.1:{@code dnsPort}, the admin API on a free port, state in {@code stateDir}, and
     * {@code store.etcd} with {@code etcdKeys} (flow mapping entries, no braces, e.g. {@link #yaml} and
     * prefix and instance-id). The test adds zones, backends and services.
     */
    public static String configHead(int dnsPort, Path stateDir, String etcdKeys) {
        return String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + dnsPort + "}",
                "admin: {address: \"127.0.0.1:0\"}",
                "state-dir: \"" + stateDir + "\"",
                "store:",
                "  type: etcd",
                "  etcd: {" + etcdKeys + "}");
    }

    /**
     * One {@code services[]} entry (YAML, ending in a newline): a {@code busybox sleep} process on the
     * {@code local} backend answering {@code address} for {@code name}, ready 1 ms after its start, with
     * {@code more} keys (e.g. {@code "idle-timeout: 3s"}) added.
     */
    public static String sleeper(String id, String name, String address, String... more) {
        return sleeperReadyWhen(id, name, address, "{delay: 1ms}", more);
    }

    /** {@link #sleeper(String, String, String, String...)} with another readiness check (a YAML flow mapping). */
    public static String sleeperReadyWhen(String id, String name, String address, String readiness, String... more) {
        StringBuilder b = new StringBuilder()
                .append("  - id: ").append(id).append('\n')
                .append("    names: [").append(name).append("]\n")
                .append("    addresses: [").append(address).append("]\n")
                .append("    backend: local\n")
                .append("    process: {command: [busybox, sleep, \"600\"]}\n")
                .append("    readiness: [").append(readiness).append("]\n");
        for (String line : more) {
            b.append("    ").append(line).append('\n');
        }
        return b.toString();
    }

    /** The {@code store.etcd} keys (flow mapping entries, no braces) for a Jitsu config on this etcd. */
    public String yaml(String endpoint) {
        StringBuilder b = new StringBuilder("endpoints: [\"" + endpoint + "\"]");
        if (tls) {
            b.append(", ca: \"").append(pem("ca.pem")).append("\", cert: \"").append(pem("client.pem"))
                    .append("\", key: \"").append(pem("client.key")).append('"');
        }
        if (auth) {
            b.append(", user: jitsu, password: ").append(PASSWORD);
        }
        return b.toString();
    }

    /** Runs {@code etcdctl} (v3 API) on this etcd, as root when auth is on; returns its output, exit 0 asserted. */
    public String etcdctl(String... args) {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + url(), "--dial-timeout=5s",
                "--command-timeout=10s"));
        if (tls) {
            command.addAll(List.of("--cacert=" + pem("ca.pem"), "--cert=" + pem("client.pem"),
                    "--key=" + pem("client.key")));
        }
        if (authOn) {
            command.add("--user=" + ROOT);
        }
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        String out = run(pb, "etcdctl " + String.join(" ", args));
        if (args.length == 2 && args[0].equals("auth") && args[1].equals("enable")) {
            authOn = true;
        }
        return out;
    }

    /** Set once {@code auth enable} ran: etcdctl then logs in as root. */
    private boolean authOn;

    private String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + clientPort;
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
        String client = url();
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of("etcd", "--name", "jitsu-test",
                "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "jitsu-test=" + peer, "--initial-cluster-state", "new",
                "--heartbeat-interval=10", "--election-timeout=50", "--logger=zap", "--log-level=warn"));
        if (tls) {
            command.addAll(List.of("--cert-file=" + pem("server.pem"), "--key-file=" + pem("server.key"),
                    "--client-cert-auth", "--trusted-ca-file=" + pem("ca.pem")));
        }
        process = new ProcessBuilder(command)
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

    /** CA, server (IP SAN 127.0.0.1) and client certificates, and a second CA with its own client certificate. */
    private void certificates() throws IOException {
        Path t = Files.createDirectories(dir.resolve("tls"));
        for (String ca : List.of("ca", "other-ca")) {
            openssl(t, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=jitsu test " + ca,
                    "-keyout", ca + ".key", "-out", ca + ".pem");
        }
        Files.writeString(t.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        Files.writeString(t.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        leaf(t, "server", "ca", "127.0.0.1");
        leaf(t, "client", "ca", "jitsu");
        leaf(t, "other-client", "other-ca", "jitsu");
    }

    private static void leaf(Path t, String name, String ca, String cn) {
        openssl(t, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + ".key",
                "-out", name + ".csr");
        openssl(t, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "2", "-out", name + ".pem",
                "-extfile", (name.equals("server") ? "server" : "client") + ".ext");
    }

    private static void openssl(Path cwd, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        run(new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true), "openssl " + args[0]);
    }

    private static String run(ProcessBuilder pb, String what) {
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes(); // ends when the process does
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(what + " ends").isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(what + ": " + text).isZero();
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(IpLiteral.parse("127.0.0.1").orElseThrow(), clientPort), 200);
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
