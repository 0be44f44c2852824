package org.jitsu.backend.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.jitsu.backend.Backend;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One service's process: which process that is (the one we track, or one adopted from the pidfile),
 * the pidfile, exit events, and the order of signals for each start and stop mode. Starting a command
 * is {@link ProcessLauncher}'s job; the signals and {@code /proc} reads on a process are
 * {@link TrackedProcess}'s. Blocking work runs on the backend's scheduler and is serialized on this
 * object; waiting for an exit is non-blocking ({@link ProcessHandle#onExit()}).
 */
final class ProcessVm implements Vm {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessVm.class);
    /** How often an adopted process (not our child) is checked for exit while we wait for it. */
    private static final Duration EXIT_POLL = Duration.ofMillis(20);

    private final LocalProcessBackend backend;
    private final String id;
    private final ProcessSpec spec;
    private final Path pidFile;

    /** The process we track, if any. Guarded by {@code this}. */
    private TrackedProcess tracked;

    ProcessVm(LocalProcessBackend backend, String id, ProcessSpec spec, Path pidFile) {
        this.backend = backend;
        this.id = id;
        this.spec = spec;
        this.pidFile = pidFile;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Mono<VmState> state() {
        return backend.blocking(() -> {
            synchronized (this) {
                return current().map(TrackedProcess::state).orElse(VmState.STOPPED);
            }
        });
    }

    @Override
    public Mono<Void> start() {
        return backend.blocking(() -> {
            synchronized (this) {
                Optional<TrackedProcess> t = current();
                if (t.isPresent()) {
                    resume(t.get());
                } else {
                    spawn();
                }
                return Boolean.TRUE;
            }
        }).then();
    }

    @Override
    public Mono<Void> stop(StopMode mode, Duration grace) {
        return backend.blocking(() -> {
            synchronized (this) {
                return signalForStop(mode);
            }
        }).flatMap(t -> t.map(x -> awaitStopped(x, mode, grace)).orElseGet(Mono::empty));
    }

    /** The pid and start time of the live process ({@link PidFile} format), when there is one. */
    @Override
    public Mono<Optional<String>> handle() {
        return backend.blocking(() -> {
            synchronized (this) {
                return current().map(t -> t.pidFile().text());
            }
        });
    }

    /**
     * Takes over the process another instance started ({@code handle}: its pid and start time): when
     * that process is alive and started then, it is recorded in this VM's pidfile and tracked like one
     * found at start-up. A process of our own that is alive wins (the other is left alone, logged).
     */
    @Override
    public Mono<VmState> attach(String handle) {
        return backend.blocking(() -> {
            synchronized (this) {
                Optional<TrackedProcess> own = current();
                Optional<PidFile> other = PidFile.parse(handle);
                if (own.isPresent()) {
                    if (other.isPresent() && other.get().pid() != own.get().pid()) {
                        LOG.warn("{}: not adopting process {}: this backend runs process {} for it", id,
                                other.get().pid(), own.get().pid());
                    }
                    return own.get().state();
                }
                if (other.isEmpty() || !other.get().matchesLiveProcess()) {
                    LOG.info("{}: process {} is gone; nothing to adopt", id, handle);
                    return VmState.STOPPED;
                }
                try {
                    other.get().write(pidFile);
                } catch (IOException e) {
                    throw new BackendException(id, "state-io", "cannot write pidfile " + pidFile + ": "
                            + e.getMessage(), e);
                }
                return current().map(TrackedProcess::state).orElse(VmState.STOPPED);
            }
        });
    }

    // ---- state, adoption

    /** The live process of this VM, adopting one from the pidfile when we track none. */
    private Optional<TrackedProcess> current() {
        if (tracked != null) {
            if (tracked.alive()) {
                return Optional.of(tracked);
            }
            forget(tracked);
        }
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        Optional<PidFile> recorded = PidFile.read(pidFile);
        if (recorded.isPresent() && recorded.get().matchesLiveProcess()) {
            Optional<ProcessHandle> h = ProcessHandle.of(recorded.get().pid());
            if (h.isPresent()) {
                TrackedProcess t = TrackedProcess.adopted(id, h.get(), recorded.get().started());
                tracked = t;
                watch(t);
                LOG.info("{}: adopted running process {} from {}", id, t.pid(), pidFile);
                return Optional.of(t);
            }
        }
        LOG.info("{}: removing stale pidfile {} ({})", id, pidFile, recorded.map(PidFile::toString).orElse("unreadable"));
        deleteQuietly(pidFile);
        return Optional.empty();
    }

    /** Drops {@code t} (it is gone) and its pidfile. */
    private void forget(TrackedProcess t) {
        if (tracked == t) {
            tracked = null;
        }
        Optional<PidFile> recorded = PidFile.read(pidFile);
        if (recorded.isEmpty() || recorded.get().pid() == t.pid()) {
            deleteQuietly(pidFile);
        }
    }

    // ---- start

    private void resume(TrackedProcess t) {
        if (t.stopRequested) {
            throw new BackendException(id, "stopping", "process " + t.pid() + " is being stopped; start it again later");
        }
        if (t.paused || t.stoppedBySignal()) {
            t.signal(LibC.SIGCONT);
            t.awaitStat(s -> !s.stopped());
            t.paused = false;
            LOG.info("{}: resumed process {}", id, t.pid());
        }
    }

    private void spawn() throws IOException, InterruptedException {
        Process p = ProcessLauncher.launch(id, spec, backend.launchPrefix());
        TrackedProcess t = TrackedProcess.launched(id, p);
        try {
            t.pidFile().write(pidFile);
        } catch (IOException e) {
            t.stopRequested = true;
            t.signal(LibC.SIGKILL);
            throw new BackendException(id, "state-io", "cannot write pidfile " + pidFile + ": " + e.getMessage(), e);
        }
        tracked = t;
        watch(t);
        LOG.info("{}: started process {}: {} (log {})", id, p.pid(), String.join(" ", spec.argv()), spec.log());
    }

    // ---- exit

    private void watch(TrackedProcess t) {
        t.handle().onExit().whenComplete((h, err) -> backend.later(() -> exited(t)));
    }

    private void exited(TrackedProcess t) {
        boolean superseded;
        synchronized (this) {
            // A start that noticed the death first may already run a successor: then this is old news.
            superseded = tracked != null && tracked != t;
            forget(t);
        }
        if (t.stopRequested || superseded) {
            return;
        }
        OptionalInt status = t.exitStatus();
        VmState state = status.isPresent() && status.getAsInt() == 0 ? VmState.STOPPED : VmState.CRASHED;
        String detail = status.isPresent()
                ? "exited with status " + status.getAsInt()
                : "exited (status unknown: adopted process " + t.pid() + ")";
        LOG.info("{}: process {} {}", id, t.pid(), detail);
        backend.emit(new VmEvent(id, state, detail));
    }

    // ---- stop

    /** Sends the first signal of a stop; the result is the process to wait for, if any. */
    private Optional<TrackedProcess> signalForStop(StopMode mode) {
        Optional<TrackedProcess> current = current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        TrackedProcess t = current.get();
        switch (mode) {
            case SUSPEND -> {
                if (t.stopRequested) {
                    throw new BackendException(id, "stopping", "process " + t.pid() + " is being stopped");
                }
                t.signal(LibC.SIGSTOP);
                t.awaitStat(s -> s.stopped() || s.dead());
                t.paused = true;
                LOG.info("{}: suspended process {}", id, t.pid());
                return Optional.empty();
            }
            case DESTROY -> {
                t.stopRequested = true;
                t.signal(LibC.SIGKILL);
                return Optional.of(t);
            }
            case SHUTDOWN -> {
                t.stopRequested = true;
                t.signal(LibC.SIGTERM);
                if (t.paused || t.stoppedBySignal()) {
                    t.signal(LibC.SIGCONT);
                    t.paused = false;
                }
                return Optional.of(t);
            }
            default -> throw new IllegalStateException("unknown stop mode " + mode);
        }
    }

    private Mono<Void> awaitStopped(TrackedProcess t, StopMode mode, Duration grace) {
        Mono<Void> exit = exitOf(t);
        Mono<Void> gone = mode == StopMode.SHUTDOWN
                ? exit.timeout(grace, Mono.defer(() -> backend.blocking(() -> {
                    LOG.info("{}: process {} still running after {}; killing it", id, t.pid(), grace);
                    t.signal(LibC.SIGKILL);
                    return t;
                }).then(exit)), backend.timer())
                : exit;
        return gone.then(backend.blocking(() -> {
            synchronized (this) {
                forget(t);
            }
            LOG.info("{}: process {} stopped ({})", id, t.pid(), mode.configName());
            return Boolean.TRUE;
        })).then();
    }

    /**
     * Completes when the process is gone. For our children the JDK's reaper tells; an adopted process
     * is not our child, and the JDK polls it slowly (and never sees a zombie nobody reaps), so
     * {@code /proc} is polled on the timer too.
     */
    private Mono<Void> exitOf(TrackedProcess t) {
        Mono<Void> reaped = Mono.fromFuture(t.handle()::onExit, true).then();
        if (t.isChild()) {
            return reaped;
        }
        Mono<Void> vanished = backend.blocking(() -> !t.alive())
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(Integer.MAX_VALUE, polls -> polls.concatMap(n -> Mono.delay(EXIT_POLL, backend.timer())))
                .then();
        return Mono.firstWithSignal(reaped, vanished);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "process vm " + id;
    }
}
