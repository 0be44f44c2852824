package org.jitsu.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real DNS command-line clients ({@code dig}, {@code kdig}) against a server on loopback.
 * Every call names the server and port explicitly, so no tool ever falls back to the system's
 * resolver.
 */
public final class DnsTools {
    private DnsTools() {
    }

    /** What a client printed. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** {@code dig @server -p port +tries=1 +time=T ARGS...} */
    public static Result dig(String server, int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dig", "@" + server, "-p", Integer.toString(port),
                "+tries=1", "+time=5"));
        cmd.addAll(List.of(args));
        return run(cmd, 30);
    }

    /** {@code kdig @server -p port +retry=0 +time=T ARGS...} */
    public static Result kdig(String server, int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("kdig", "@" + server, "-p", Integer.toString(port),
                "+retry=0", "+time=5"));
        cmd.addAll(List.of(args));
        return run(cmd, 30);
    }

    /** Runs a command with a hard timeout and returns what it printed. */
    public static Result run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + " (is it installed? ./jitsu test installs it)", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
