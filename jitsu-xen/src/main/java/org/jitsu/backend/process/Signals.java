package org.jitsu.backend.process;

import com.sun.jna.Native;
import java.util.OptionalInt;

/** Sends POSIX signals through libc's {@code kill(2)}. */
final class Signals {
    private Signals() {
    }

    /**
     * Sends {@code signal} to {@code pid} (a negative pid addresses a process group).
     *
     * @return empty on success, otherwise the errno libc reported
     */
    static OptionalInt send(int pid, int signal) {
        int rc = LibC.get().kill(pid, signal);
        return rc == 0 ? OptionalInt.empty() : OptionalInt.of(Native.getLastError());
    }

    /** A readable name for the signals this backend sends. */
    static String name(int signal) {
        return switch (signal) {
            case LibC.SIGKILL -> "SIGKILL";
            case LibC.SIGTERM -> "SIGTERM";
            case LibC.SIGSTOP -> "SIGSTOP";
            case LibC.SIGCONT -> "SIGCONT";
            default -> "signal " + signal;
        };
    }
}
