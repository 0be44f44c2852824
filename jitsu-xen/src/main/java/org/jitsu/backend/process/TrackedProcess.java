package org.jitsu.backend.process;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.VmState;

/**
 * A process a {@link ProcessVm} tracks, one it started or one adopted from a pidfile, and what is done
 * to it through the kernel: liveness and the stopped state from {@code /proc}, signals through libc's
 * {@code kill(2)}, to the whole process group when the process leads one (started through
 * {@code setsid}). Blocking ({@code /proc} reads): called on the backend's scheduler. The flags are
 * set under the VM's lock and read from the exit callback, hence volatile.
 */
final class TrackedProcess {
    private final String vmId;
    private final ProcessHandle handle;
    private final Optional<Process> child;
    private final Instant started;
    /** A stop (destroy or shutdown) was signalled: the exit is expected, not a crash. */
    volatile boolean stopRequested;
    /** Suspended by us (SIGSTOP) or found stopped when adopted. */
    volatile boolean paused;

    private TrackedProcess(String vmId, ProcessHandle handle, Optional<Process> child, Instant started) {
        this.vmId = vmId;
        this.handle = handle;
        this.child = child;
        this.started = started;
    }

    /** Our child, just launched. */
    static TrackedProcess launched(String vmId, Process child) {
        return new TrackedProcess(vmId, child.toHandle(), Optional.of(child),
                child.info().startInstant().orElse(Instant.EPOCH));
    }

    /** A process recorded in a pidfile (not our child), paused when the kernel says it is stopped. */
    static TrackedProcess adopted(String vmId, ProcessHandle handle, Instant started) {
        TrackedProcess t = new TrackedProcess(vmId, handle, Optional.empty(), started);
        t.paused = t.stoppedBySignal();
        return t;
    }

    long pid() {
        return handle.pid();
    }

    ProcessHandle handle() {
        return handle;
    }

    /** True for a process we started (the JDK reaps it and knows its exit status). */
    boolean isChild() {
        return child.isPresent();
    }

    /** What its pidfile says: the pid and the start time. */
    PidFile pidFile() {
        return new PidFile(pid(), started);
    }

    /** The exit status of our child once it has exited; empty for an adopted process. */
    OptionalInt exitStatus() {
        return child.map(p -> OptionalInt.of(p.exitValue())).orElse(OptionalInt.empty());
    }

    /** Alive and not a zombie. */
    boolean alive() {
        boolean alive = child.map(Process::isAlive).orElseGet(handle::isAlive);
        return alive && ProcStat.read(pid()).map(s -> !s.dead()).orElse(false);
    }

    /** Stopped by a signal now (state {@code T}), by us or by anyone else. */
    boolean stoppedBySignal() {
        return ProcStat.read(pid()).map(ProcStat::stopped).orElse(false);
    }

    /** STOPPING once a stop was signalled, PAUSED while stopped, otherwise RUNNING. */
    VmState state() {
        boolean stopped = stoppedBySignal();
        if (stopRequested) {
            return VmState.STOPPING;
        }
        if (paused || stopped) {
            return VmState.PAUSED;
        }
        return VmState.RUNNING;
    }

    /**
     * Signals the process, or its whole process group when it leads one. A process that is already
     * gone ({@code ESRCH}) is not an error.
     *
     * @throws BackendException {@code signal-failed} with the errno otherwise
     */
    void signal(int sig) {
        long pid = pid();
        boolean group = ProcStat.read(pid).map(ProcStat::leadsGroup).orElse(false);
        int target = (int) (group ? -pid : pid);
        OptionalInt errno = Signals.send(target, sig);
        if (errno.isPresent() && errno.getAsInt() != LibC.ESRCH) {
            throw new BackendException(vmId, "signal-failed", Signals.name(sig) + " to "
                    + (group ? "process group " : "process ") + pid + " failed: errno " + errno.getAsInt());
        }
    }

    /** Waits (bounded) until its {@code /proc/PID/stat} satisfies {@code done} or it is gone. */
    void awaitStat(Predicate<ProcStat> done) {
        ProcStat.await(pid(), done);
    }
}
