package org.jitsu.backend.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The fields of {@code /proc/PID/stat} the backend uses: the scheduler state letter ({@code R},
 * {@code S}, {@code T}, {@code Z}, ...), the process group and the session.
 */
record ProcStat(long pid, char state, long processGroup, long session) {
    /** Upper bound for waiting on the kernel (exec past setsid, a SIGSTOP taking effect). */
    static final long KERNEL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Pause between two looks at {@code /proc} while waiting on the kernel. */
    static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /** True when the process is stopped by a signal (SIGSTOP): state {@code T}. */
    boolean stopped() {
        return state == 'T';
    }

    /** True when the process has exited and waits to be reaped (or is dead). */
    boolean dead() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /** True when the process leads its own process group, so that the whole group can be signalled. */
    boolean leadsGroup() {
        return processGroup == pid;
    }

    /** Reads {@code /proc/PID/stat}; empty when there is no such process. Blocking (file I/O). */
    static Optional<ProcStat> read(long pid) {
        String text;
        try {
            text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        return parse(pid, text);
    }

    /**
     * Waits (bounded by {@link #KERNEL_WAIT_NANOS}) until the stat of {@code pid} satisfies {@code done}
     * or the process is gone. Blocking: it parks between reads.
     */
    static void await(long pid, Predicate<ProcStat> done) {
        long deadline = System.nanoTime() + KERNEL_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            Optional<ProcStat> s = read(pid);
            if (s.isEmpty() || done.test(s.get())) {
                return;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Parses the text of a stat file; the command name may itself contain spaces and parentheses. */
    static Optional<ProcStat> parse(long pid, String text) {
        int close = text.lastIndexOf(')');
        if (close < 0 || close + 2 >= text.length()) {
            return Optional.empty();
        }
        String[] f = text.substring(close + 2).trim().split(" ");
        if (f.length < 4 || f[0].length() != 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
