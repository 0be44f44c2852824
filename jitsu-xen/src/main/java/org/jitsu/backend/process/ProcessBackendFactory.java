package org.jitsu.backend.process;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import org.jitsu.backend.Backend;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/**
 * Creates {@code type: process} backends: every service is a local command serving on a loopback
 * address, a stand-in for a unikernel. Found through {@link java.util.ServiceLoader}.
 *
 * <p>Settings ({@code backends.NAME}, without {@code type}):
 * <ul>
 *   <li>{@code threads} — size of the bounded scheduler for blocking work (spawn, file I/O), default 4;
 *   <li>{@code state-dir} — where pidfiles ({@code pids/ID.pid}) and default logs ({@code logs/ID.log})
 *       are kept; default {@code <server state dir>/<backend name>};
 *   <li>{@code user}, {@code group} — who the commands run as (names or numbers); default the server's
 *       own user and group (see {@link RunAs}).
 * </ul>
 *
 * <p>Service spec ({@code services[i].process}): {@code command} (argv list, required; a single string
 * is one argv element, never split by a shell; a name without a slash is looked up on PATH when the
 * service is defined), {@code directory} (working directory), {@code environment} (mapping added to
 * Jitsu's environment), {@code log} (file that stdout and stderr are appended to; relative paths are
 * taken from the state dir; default {@code logs/ID.log}).
 *
 * <p>{@link Backend#ready()} creates the state directory. Processes found through their pidfiles are
 * adopted on first use (when pid and start time match); stale pidfiles are removed.
 */
public final class ProcessBackendFactory implements BackendFactory {
    /** The config type this factory handles. */
    public static final String TYPE = "process";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(String name, Settings settings, BackendContext context) {
        settings.allowOnly("threads", "state-dir", "user", "group");
        int threads = (int) settings.integer("threads", 4, 1, 1024);
        Path stateDir = settings.optString("state-dir").map(s -> {
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                throw new ConfigException(settings.keyPath("state-dir"), s, "a directory path");
            }
        }).orElse(context.stateDir().resolve(name)).toAbsolutePath();
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        Optional<Path> setsid = tool("setsid", path);
        Optional<Path> setpriv = tool("setpriv", path);
        RunAs runAs = RunAs.resolve(settings, RunAs.Accounts.system(), RunAs.Credentials.current(), setpriv.isPresent());
        return new LocalProcessBackend(name, stateDir, threads, context.timer(), setsid, runAs, setpriv, path);
    }

    /** An executable on PATH, its real path (what /proc/PID/exe shows while it runs). */
    private static Optional<Path> tool(String name, String path) {
        return Executables.find(name, path, Path.of("").toAbsolutePath()).flatMap(p -> {
            try {
                return Optional.of(p.toRealPath());
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }
}
