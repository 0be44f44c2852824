package org.jitsu.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.JitsuStartException;
import org.jitsu.server.config.Addresses;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code serve [--config FILE]} runs the server in the foreground until SIGTERM or
 * SIGINT (SIGHUP reloads); {@code check [--config FILE]} validates a config; {@code status} and
 * {@code service add|rm|list} ask the running server's admin API ({@link StatusCommand},
 * {@link ServiceCommand}); {@code --help}; {@code --version}. The {@code jitsu} launcher runs this class.
 *
 * <p>Exit status: 0 success; 1 the server could not start (e.g. port in use); 2 usage or config error.
 * Errors are one line on stderr: {@code jitsu: FILE: services[0].backend: x (expected: ...)}.
 */
public final class Main {
    /** Success. */
    public static final int EXIT_OK = 0;
    /** The server could not start with a valid config (port in use, backend not ready). */
    public static final int EXIT_START_FAILED = 1;
    /** Bad command line or bad config. */
    public static final int EXIT_USAGE = 2;

    static final String DEFAULT_CONFIG = "config/jitsu.yml";
    static final String USAGE = String.join("\n",
            "Usage: jitsu serve [--config FILE] [--stop-services-on-exit]",
            "                                     run the DNS server in the foreground (default " + DEFAULT_CONFIG + ");",
            "                                     SIGHUP reloads the config; SIGTERM/SIGINT shut down gracefully",
            "       jitsu check [--config FILE]   validate a config file, start nothing",
            "       jitsu status [--config FILE]  print the services of the server running with that config",
            "       jitsu service add ID FILE|- | rm ID | list [--config FILE]",
            "                                     register, remove, list services at run time (admin API)",
            "       jitsu --help | --version",
            "Exit status: 0 ok, 1 cannot start (e.g. port in use), 2 usage or config error.");

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private final PrintStream out;
    private final PrintStream err;
    private final Function<JitsuConfig, JitsuServer.Builder> builders;
    private volatile boolean served;

    Main(PrintStream out, PrintStream err, Function<JitsuConfig, JitsuServer.Builder> builders) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.builders = Objects.requireNonNull(builders, "builders");
    }

    public static void main(String[] args) {
        LogFormat.warning().ifPresent(log::warn);
        Main main = new Main(System.out, System.err, JitsuServer::builder);
        int code = main.run(args);
        if (!main.served) {
            // After a served run the JVM is already shutting down (a signal): exiting again would block.
            System.exit(code);
        }
    }

    /** Runs one command line and returns the exit status ({@code serve} returns only after a signal). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Main(out, err, JitsuServer::builder).run(args);
    }

    int run(String... args) {
        if (args.length > 0 && args[0].equals("service") && !List.of(args).contains("--help")) {
            return ServiceCommand.run(List.of(args), System.in, out, err);
        }
        Optional<Command> command;
        try {
            command = Command.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            err.println("jitsu: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        if (command.isEmpty()) {
            out.println(USAGE);
            return EXIT_OK;
        }
        Command c = command.get();
        switch (c.name()) {
            case "version":
                out.println("jitsu " + version());
                return EXIT_OK;
            case "check":
                return check(c.config());
            case "status":
                return status(c.config());
            default:
                return serve(c.config(), c.stopServices());
        }
    }

    private int check(String file) {
        Optional<JitsuConfig> config = load(file);
        if (config.isEmpty()) {
            return EXIT_USAGE;
        }
        try {
            builders.apply(config.get()).validate();
        } catch (ConfigException e) {
            err.println("jitsu: " + file + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        out.println(file + ": ok (" + count(config.get().zones().size(), "zone") + ", "
                + count(config.get().services().size(), "service")
                + (config.get().templates().isEmpty() ? "" : ", " + count(config.get().templates().size(), "template"))
                + ")");
        return EXIT_OK;
    }

    private int status(String file) {
        Optional<JitsuConfig> config = load(file);
        if (config.isEmpty()) {
            return EXIT_USAGE;
        }
        return StatusCommand.run(config.get(), out, err);
    }

    private int serve(String file, boolean stopServices) {
        long t0 = System.nanoTime();
        Optional<JitsuConfig> loaded = load(file);
        if (loaded.isEmpty()) {
            return EXIT_USAGE;
        }
        JitsuConfig config = loaded.get();
        log.info("config {}: {} services read and validated in {} ms", file, config.services().size(),
                (System.nanoTime() - t0) / 1_000_000);
        // SIGHUP's default action ends the JVM: the handler is installed before the server answers its
        // first health probe, and a SIGHUP that comes while it starts reloads once it is up
        AtomicReference<JitsuServer> up = new AtomicReference<>();
        AtomicBoolean hangupWhileStarting = new AtomicBoolean();
        Signals.onHangup(() -> {
            JitsuServer s = up.get();
            if (s == null) {
                hangupWhileStarting.set(true);
            } else {
                reload(s);
            }
        });
        JitsuServer server;
        try {
            server = builders.apply(config).start();
        } catch (ConfigException e) {
            err.println("jitsu: " + file + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (JitsuStartException e) {
            err.println("jitsu: " + e.getMessage());
            return EXIT_START_FAILED;
        } catch (RuntimeException e) {
            err.println("jitsu: cannot start: " + rootMessage(e));
            log.debug("start failed", e);
            return EXIT_START_FAILED;
        }
        log.info("jitsu {} (pid {}) listening on {} (udp, tcp); {}; services: {}{}", version(),
                ProcessHandle.current().pid(), addresses(server.udpAddresses()), count(config.zones().size(), "zone"),
                describe(config.services()), config.templates().isEmpty() ? "" : "; templates: " + String.join(", ",
                        config.templates().stream().map(t -> t.id() + " (" + t.pattern() + ")").toList()));
        CountDownLatch stopped = new CountDownLatch(1);
        served = true;
        server.adminAddress().ifPresent(a -> log.info("admin API on http://{}/ (metrics, health, services, reload)",
                Addresses.format(a)));
        up.set(server);
        if (hangupWhileStarting.getAndSet(false)) {
            reload(server);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping{}", stopServices ? " (and stopping every service)" : " (services are left running)");
            server.close(stopServices);
            log.info("stopped");
            stopped.countDown();
        }, "jitsu-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    /** A reload on the server's worker; the server logs the outcome. */
    private static void reload(JitsuServer server) {
        server.reload().subscribe(outcome -> {
        });
    }

    private Optional<JitsuConfig> load(String file) {
        try {
            return Optional.of(JitsuConfig.load(Path.of(file)));
        } catch (ConfigException e) {
            err.println("jitsu: " + file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            err.println("jitsu: " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            err.println("jitsu: " + file + ": cannot read: " + e);
        }
        return Optional.empty();
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/org/jitsu/server/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (IOException e) {
            log.debug("cannot read version.properties", e);
        }
        return "(unknown version)";
    }

    /** The innermost cause's message: what a person can act on, on one line. */
    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String addresses(List<InetSocketAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            out.add(Addresses.format(a));
        }
        return String.join(", ", out);
    }

    private static String describe(List<ServiceConfig> services) {
        if (services.isEmpty()) {
            return "none";
        }
        return services.stream().map(s -> s.id() + " ("
                        + s.names().stream().map(n -> n.text()).collect(Collectors.joining(", ")) + " -> "
                        + s.addresses().stream().map(Addresses::format).collect(Collectors.joining(", ")) + ")")
                .collect(Collectors.joining(", "));
    }

    /** A parsed command line: {@code serve}, {@code check}, {@code status} or {@code version}, with the config file. */
    record Command(String name, String config, boolean stopServices) {
        Command(String name, String config) {
            this(name, config, false);
        }

        /** Empty for {@code --help}. */
        static Optional<Command> parse(List<String> args) {
            if (args.isEmpty()) {
                throw new IllegalArgumentException("missing command");
            }
            if (args.contains("--help") || args.contains("-h") || args.get(0).equals("help")) {
                return Optional.empty();
            }
            String first = args.get(0);
            if (first.equals("--version") || first.equals("version")) {
                if (args.size() > 1) {
                    throw new IllegalArgumentException("unexpected argument: " + args.get(1));
                }
                return Optional.of(new Command("version", DEFAULT_CONFIG));
            }
            if (!first.equals("serve") && !first.equals("check") && !first.equals("status")) {
                throw new IllegalArgumentException("unknown command: " + first);
            }
            String config = DEFAULT_CONFIG;
            boolean stopServices = false;
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--config") || a.equals("-c")) {
                    if (i + 1 >= args.size() || args.get(i + 1).isEmpty()) {
                        throw new IllegalArgumentException(a + " needs a file name");
                    }
                    config = args.get(++i);
                } else if (a.equals("--stop-services-on-exit") && first.equals("serve")) {
                    stopServices = true;
                } else if (a.startsWith("--config=") && a.length() > "--config=".length()) {
                    config = a.substring("--config=".length());
                } else if (a.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option: " + a);
                } else {
                    throw new IllegalArgumentException("unexpected argument: " + a);
                }
            }
            return Optional.of(new Command(first, config, stopServices));
        }
    }
}
