package org.jitsu.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jitsu.backend.StopMode;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.TemplateInstances;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs a real {@link JitsuServer} for a test class: writes the config to a temporary directory, starts
 * the server on 127.0.0.1 with an ephemeral port, and after the class stops the VMs it started (the
 * services' and the template instances') and closes it; a process still named by a pidfile in the
 * state dir then (a stop that failed) is killed. The config given is completed with {@code listen:}
 * and {@code state-dir:}; it must not set them.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
 *         .file("www/index.html", "hello")
 *         .config(dir -> "zones: ...")
 *         .build();
 * }</pre>
 */
public final class JitsuServerExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Logger log = LoggerFactory.getLogger(JitsuServerExtension.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration INSTANCES_STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, String> files;
    private final Function<Path, String> config;
    private Path dir;
    private JitsuServer server;

    private JitsuServerExtension(Map<String, String> files, Function<Path, String> config) {
        this.files = Map.copyOf(files);
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A port free for both TCP and UDP on {@code address} (a DNS server binds both), found by binding
     * TCP port 0 and then UDP on the same port, again while the UDP side is taken (a client socket
     * somewhere may hold it). Another process may take it before it is used; on loopback addresses of
     * our own that is unlikely.
     */
    public static int freePort(String address) {
        InetAddress a = IpLiteral.parse(address).orElseThrow(() -> new IllegalArgumentException(address));
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.bind(new InetSocketAddress(a, 0));
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(a, tcp.getLocalPort()))) {
                    return udp.getLocalPort();
                } catch (SocketException taken) {
                    if (attempt == 50) {
                        throw new UncheckedIOException("no port free for both TCP and UDP on " + address, taken);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jitsu-it-");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        String body = config.apply(dir);
        // the admin endpoint on a free port too, unless the test configures it
        String admin = body.startsWith("admin:") || body.contains("\nadmin:") ? ""
                : "admin: {address: \"127.0.0.1:0\"}\n";
        String yaml = "listen: {addresses: [127.0.0.1], port: 0}\n"
                + "state-dir: \"" + dir.resolve("run") + "\"\n"
                + admin
                + body;
        Path file = Files.writeString(dir.resolve("jitsu.yml"), yaml, StandardCharsets.UTF_8);
        server = JitsuServer.start(JitsuConfig.load(file));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (server != null) {
                // The server leaves VMs as they are; stop the ones it started for this test.
                for (NamedService s : server.services()) {
                    try {
                        s.service().vm().stop(StopMode.DESTROY, Duration.ZERO).block(STOP_TIMEOUT);
                    } catch (RuntimeException e) {
                        log.warn("stopping {} after the test failed: {}", s.id(), e.toString());
                    }
                }
                stopInstances(server);
                server.close();
            }
        } finally {
            if (dir != null) {
                killRecordedProcesses(dir.resolve("run"));
            }
            server = null;
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    /** Stops every template instance's VM (all at once, bounded): the server leaves them as they are. */
    private static void stopInstances(JitsuServer server) {
        List<ManagedService> instances = new ArrayList<>();
        for (TemplateInstances t : server.pipeline().core().templates()) {
            instances.addAll(t.instances());
        }
        if (instances.isEmpty()) {
            return;
        }
        try {
            Flux.fromIterable(instances)
                    .flatMap(i -> i.definition().vm().stop(StopMode.DESTROY, Duration.ZERO)
                            .onErrorResume(e -> {
                                log.warn("stopping {} after the test failed: {}", i.id(), e.toString());
                                return Mono.empty();
                            }), 32)
                    .then()
                    .block(INSTANCES_STOP_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("stopping {} template instances after the test failed: {}", instances.size(), e.toString());
        }
    }

    /**
     * Kills each live process that a process backend's pidfile under {@code stateDir} names (pid and
     * start time as the pidfile records them, {@code PID START}): what a failed stop left behind.
     */
    static void killRecordedProcesses(Path stateDir) {
        if (!Files.isDirectory(stateDir)) {
            return;
        }
        List<Path> pidFiles;
        try (Stream<Path> paths = Files.walk(stateDir)) {
            pidFiles = paths.filter(p -> p.getFileName().toString().endsWith(".pid")
                    && p.getParent().getFileName().toString().equals("pids")).toList();
        } catch (IOException e) {
            log.warn("cannot list pidfiles under {}: {}", stateDir, e.toString());
            return;
        }
        for (Path file : pidFiles) {
            try {
                String[] parts = Files.readString(file, StandardCharsets.US_ASCII).strip().split("\\s+");
                if (parts.length != 2) {
                    continue;
                }
                long pid = Long.parseLong(parts[0]);
                long started = Instant.parse(parts[1]).toEpochMilli();
                ProcessHandle.of(pid)
                        .filter(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started)
                        .ifPresent(h -> {
                            log.warn("killing process {} left running ({})", pid, file);
                            h.destroyForcibly();
                        });
            } catch (IOException | RuntimeException e) {
                log.warn("cannot read pidfile {}: {}", file, e.toString());
            }
        }
    }

    /** The running server. */
    public JitsuServer server() {
        return Objects.requireNonNull(server, "server not started");
    }

    /** The DNS port (UDP and TCP) on 127.0.0.1. */
    public int port() {
        return server().udpAddresses().get(0).getPort();
    }

    /** The admin endpoint's base URL, such as {@code http://127.0.0.1:40123}. */
    public String adminUrl() {
        java.net.InetSocketAddress a = server().adminAddress().orElseThrow(() -> new IllegalStateException("admin disabled"));
        return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The config file the server runs (rewrite it to test reloads). */
    public Path configFile() {
        return dir.resolve("jitsu.yml");
    }

    /** The temporary directory holding the config and the state dir. */
    public Path dir() {
        return dir;
    }

    /** {@code dig @127.0.0.1 -p PORT ARGS...} against the server. */
    public DnsTools.Result dig(String... args) {
        return DnsTools.dig("127.0.0.1", port(), args);
    }

    /** Deletes {@code root} and everything below it; what cannot be deleted is logged, not thrown. */
    public static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }

    /** Configures a {@link JitsuServerExtension}. */
    public static final class Builder {
        private final Map<String, String> files = new LinkedHashMap<>();
        private Function<Path, String> config;

        private Builder() {
        }

        /** A file written into the temporary directory before the server starts. */
        public Builder file(String relativePath, String content) {
            files.put(relativePath, content);
            return this;
        }

        /** The config, given the temporary directory; without {@code listen:} and {@code state-dir:}. */
        public Builder config(Function<Path, String> config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public JitsuServerExtension build() {
            return new JitsuServerExtension(files, Objects.requireNonNull(config, "config not set"));
        }
    }

    /**
     * One {@code services[]} entry (YAML, no final newline): {@code busybox httpd} serving
     * {@code dir/www} on {@code address:port} for {@code id.zone}, on the {@code local} backend, ready
     * once HTTP answers there (then {@code extraReadiness}: further readiness list items, or ""), with a
     * 20 s boot timeout and {@code more} keys (e.g. {@code "idle-timeout: 10m"}).
     */
    public static String httpd(String id, String zone, String address, int port, Path dir, String extraReadiness,
                               String... more) {
        StringBuilder b = new StringBuilder(String.join("\n",
                "  - id: " + id,
                "    names: [" + id + "." + zone + "]",
                "    addresses: [" + address + "]",
                "    backend: local",
                "    process:",
                "      command: [busybox, httpd, -f, -p, \"" + address + ":" + port + "\", -h, \"" + dir.resolve("www") + "\"]",
                "    readiness:",
                "      - http: http://" + address + ":" + port + "/",
                extraReadiness,
                "    boot-timeout: 20s"));
        for (String line : more) {
            b.append("\n    ").append(line);
        }
        return b.toString();
    }
}
