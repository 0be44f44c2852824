package org.jitsu.backend.process;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.jitsu.backend.BackendException;

/**
 * Starts a service's command: through {@code setsid} when there is one (its own session and process
 * group, so that it does not see Jitsu's Ctrl-C and can be signalled as a group), then through
 * {@code setpriv} when it runs as another user ({@link RunAs}), stdin from
 * {@code /dev/null}, stdout and stderr appended to the service's log. The start counts only once the
 * child has exec'd the command itself; a command that dies at once is an error quoting the last lines
 * it logged. Blocking (fork/exec, {@code /proc}, the log): run it on the backend's scheduler.
 */
final class ProcessLauncher {
    private static final int LOG_TAIL_BYTES = 2048;
    private static final int LOG_TAIL_LINES = 5;

    private ProcessLauncher() {
    }

    /**
     * What runs before a service's own argv: {@code setsid}, {@code setpriv} and their arguments, and
     * the wrappers' executables (the start counts once the child's exe is none of them).
     */
    record Prefix(List<String> argv, Set<Path> wrappers) {
        Prefix {
            argv = List.copyOf(argv);
            wrappers = Set.copyOf(wrappers);
        }

        static Prefix of(Optional<Path> setsid, RunAs runAs, Optional<Path> setpriv) {
            List<String> argv = new ArrayList<>();
            Set<Path> wrappers = new HashSet<>();
            setsid.ifPresent(p -> {
                argv.add(p.toString());
                wrappers.add(p);
            });
            if (!runAs.self()) {
                Path sp = setpriv.orElseThrow(() -> new IllegalArgumentException("another user needs setpriv"));
                argv.addAll(runAs.setprivArgs(sp));
                wrappers.add(sp);
            }
            return new Prefix(argv, wrappers);
        }
    }

    /**
     * Runs {@code spec}'s command for the VM {@code vmId}.
     *
     * @return the live child process
     * @throws BackendException {@code spawn-failed} when the command cannot be run, {@code exited} when
     *     it exited right after the start
     */
    static Process launch(String vmId, ProcessSpec spec, Prefix prefix) throws IOException, InterruptedException {
        Path exe = spec.executable();
        if (!Executables.isExecutableFile(exe)) {
            throw new BackendException(vmId, "spawn-failed", "cannot run " + exe + ": not found or not executable");
        }
        List<String> command = new ArrayList<>();
        command.addAll(prefix.argv());
        command.addAll(spec.argv());
        ProcessBuilder pb = new ProcessBuilder(command);
        spec.directory().ifPresent(d -> pb.directory(d.toFile()));
        pb.environment().putAll(spec.environment());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        Path log = spec.log();
        Files.createDirectories(log.getParent());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));

        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BackendException(vmId, "spawn-failed", "cannot run " + String.join(" ", command) + ": "
                    + e.getMessage(), e);
        }
        if (!prefix.wrappers().isEmpty()) {
            awaitExecPast(p, prefix.wrappers());
        }
        if (!p.isAlive()) {
            int status = p.waitFor();
            throw new BackendException(vmId, "exited", "exited with status " + status + " right after start"
                    + logTail(log, logStart));
        }
        return p;
    }

    /** Waits (bounded) until the child has exec'd the command, or died trying. */
    private static void awaitExecPast(Process p, Set<Path> wrappers) {
        Path exeLink = Path.of("/proc", Long.toString(p.pid()), "exe");
        long deadline = System.nanoTime() + ProcStat.KERNEL_WAIT_NANOS;
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                if (!wrappers.contains(Files.readSymbolicLink(exeLink))) {
                    return;
                }
            } catch (IOException e) {
                // Exiting (no exe link for a zombie) or gone: isAlive decides.
            }
            LockSupport.parkNanos(ProcStat.POLL_NANOS);
        }
    }

    private static String logTail(Path log, long from) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(from, f.length() - LOG_TAIL_BYTES);
            byte[] buf = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(buf);
            String[] lines = new String(buf, StandardCharsets.UTF_8).strip().split("\n");
            if (lines.length == 0 || lines[0].isEmpty()) {
                return "";
            }
            List<String> tail = Arrays.asList(lines).subList(Math.max(0, lines.length - LOG_TAIL_LINES), lines.length);
            return "; last lines of " + log + ": " + String.join(" | ", tail);
        } catch (IOException e) {
            return "";
        }
    }
}
