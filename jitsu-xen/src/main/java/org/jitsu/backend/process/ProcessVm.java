package org.jitsu.backend.process;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
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
 * One service's process. Blocking work runs on the backend's scheduler and is serialized on this
 * object; waiting for an exit is non-blocking ({@link ProcessHandle#onExit()}).
 */
final class ProcessVm implements Vm {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessVm.class);
    /** Upper bound for waiting on the kernel (exec past setsid, a SIGSTOP taking effect). */
    private static final long KERNEL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    /** How often an adopted process (not our child) is checked for exit while we wait for it. */
    private static final Duration EXIT_POLL = Duration.ofMillis(20);
    private static final int LOG_TAIL_BYTES = 2048;
    private static final int LOG_TAIL_LINES = 5;

    private final LocalProcessBackend backend;
    private final String id;
    private final ProcessSpec spec;
    private final Path pidFile;

    /** The process we track, if any. Guarded by {@code this}. */
    private Tracked tracked;

    ProcessVm(LocalProcessBackend backend, String id, ProcessSpec spec, Path pidFile) {
        this.backend = backend;
        this.id = id;
        this.spec = spec;
        this.pidFile = pidFile;
    }

    /** A process we started or adopted. */
    private static final class Tracked {
        final ProcessHandle handle;
        final Optional<Process> child;
        final Instant started;
        volatile boolean stopRequested;
        volatile boolean paused;

        Tracked(ProcessHandle handle, Optional<Process> child, Instant started) {
            this.handle = handle;
            this.child = child;
            this.started = started;
        }

        long pid() {
            return handle.pid();
        }
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
                return current().map(this::stateOf).orElse(VmState.STOPPED);
            }
        });
    }

    @Override
    public Mono<Void> start() {
        return backend.blocking(() -> {
            synchronized (this) {
                Optional<Tracked> t = current();
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
                return current().map(t -> new PidFile(t.pid(), t.started).text());
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
                Optional<Tracked> own = current();
                Optional<PidFile> other = PidFile.parse(handle);
                if (own.isPresent()) {
                    if (other.isPresent() && other.get().pid() != own.get().pid()) {
                        LOG.warn("{}: not adopting process {}: this backend runs process {} for it", id,
                                other.get().pid(), own.get().pid());
                    }
                    return stateOf(own.get());
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
                return current().map(this::stateOf).orElse(VmState.STOPPED);
            }
        });
    }

    // ---- state, adoption

    /** The live process of this VM, adopting one from the pidfile when we track none. */
    private Optional<Tracked> current() {
        if (tracked != null) {
            if (alive(tracked)) {
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
                Tracked t = new Tracked(h.get(), Optional.empty(), recorded.get().started());
                t.paused = ProcStat.read(t.pid()).map(ProcStat::stopped).orElse(false);
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

    private VmState stateOf(Tracked t) {
        boolean stopped = ProcStat.read(t.pid()).map(ProcStat::stopped).orElse(false);
        if (t.stopRequested) {
            return VmState.STOPPING;
        }
        if (t.paused || stopped) {
            return VmState.PAUSED;
        }
        return VmState.RUNNING;
    }

    private static boolean alive(Tracked t) {
        boolean alive = t.child.map(Process::isAlive).orElseGet(t.handle::isAlive);
        return alive && ProcStat.read(t.pid()).map(s -> !s.dead()).orElse(false);
    }

    /** Drops {@code t} (it is gone) and its pidfile. */
    private void forget(Tracked t) {
        if (tracked == t) {
            tracked = null;
        }
        Optional<PidFile> recorded = PidFile.read(pidFile);
        if (recorded.isEmpty() || recorded.get().pid() == t.pid()) {
            deleteQuietly(pidFile);
        }
    }

    // ---- start

    private void resume(Tracked t) {
        if (t.stopRequested) {
            throw new BackendException(id, "stopping", "process " + t.pid() + " is being stopped; start it again later");
        }
        boolean stopped = ProcStat.read(t.pid()).map(ProcStat::stopped).orElse(false);
        if (t.paused || stopped) {
            signal(t, LibC.SIGCONT);
            awaitStat(t.pid(), s -> !s.stopped());
            t.paused = false;
            LOG.info("{}: resumed process {}", id, t.pid());
        }
    }

    private void spawn() throws IOException, InterruptedException {
        Path exe = spec.executable();
        if (!Executables.isExecutableFile(exe)) {
            throw new BackendException(id, "spawn-failed", "cannot run " + exe + ": not found or not executable");
        }
        List<String> command = new ArrayList<>();
        backend.setsid().ifPresent(p -> command.add(p.toString()));
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
            throw new BackendException(id, "spawn-failed", "cannot run " + String.join(" ", command) + ": "
                    + e.getMessage(), e);
        }
        backend.setsid().ifPresent(setsid -> awaitExecPast(p, setsid));
        if (!p.isAlive()) {
            int status = p.waitFor();
            throw new BackendException(id, "exited", "exited with status " + status + " right after start"
                    + logTail(log, logStart));
        }
        Instant started = p.info().startInstant().orElse(Instant.EPOCH);
        Tracked t = new Tracked(p.toHandle(), Optional.of(p), started);
        try {
            new PidFile(p.pid(), started).write(pidFile);
        } catch (IOException e) {
            t.stopRequested = true;
            signal(t, LibC.SIGKILL);
            throw new BackendException(id, "state-io", "cannot write pidfile " + pidFile + ": " + e.getMessage(), e);
        }
        tracked = t;
        watch(t);
        LOG.info("{}: started process {}: {} (log {})", id, p.pid(), String.join(" ", spec.argv()), log);
    }

    /** Waits (bounded) until the child has exec'd the command, or died trying. */
    private static void awaitExecPast(Process p, Path setsid) {
        Path exeLink = Path.of("/proc", Long.toString(p.pid()), "exe");
        long deadline = System.nanoTime() + KERNEL_WAIT_NANOS;
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                if (!Files.readSymbolicLink(exeLink).equals(setsid)) {
                    return;
                }
            } catch (IOException e) {
                // Exiting (no exe link for a zombie) or gone: isAlive decides.
            }
            LockSupport.parkNanos(POLL_NANOS);
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

    // ---- exit

    private void watch(Tracked t) {
        t.handle.onExit().whenComplete((h, err) -> backend.later(() -> exited(t)));
    }

    private void exited(Tracked t) {
        boolean superseded;
        synchronized (this) {
            // A start that noticed the death first may already run a successor: then this is old news.
            superseded = tracked != null && tracked != t;
            forget(t);
        }
        if (t.stopRequested || superseded) {
            return;
        }
        OptionalInt status = t.child.isPresent() ? OptionalInt.of(t.child.get().exitValue()) : OptionalInt.empty();
        VmState state = status.isPresent() && status.getAsInt() == 0 ? VmState.STOPPED : VmState.CRASHED;
        String detail = status.isPresent()
                ? "exited with status " + status.getAsInt()
                : "exited (status unknown: adopted process " + t.pid() + ")";
        LOG.info("{}: process {} {}", id, t.pid(), detail);
        backend.emit(new VmEvent(id, state, detail));
    }

    // ---- stop

    /** Sends the first signal of a stop; the result is the process to wait for, if any. */
    private Optional<Tracked> signalForStop(StopMode mode) {
        Optional<Tracked> current = current();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Tracked t = current.get();
        switch (mode) {
            case SUSPEND -> {
                if (t.stopRequested) {
                    throw new BackendException(id, "stopping", "process " + t.pid() + " is being stopped");
                }
                signal(t, LibC.SIGSTOP);
                awaitStat(t.pid(), s -> s.stopped() || s.dead());
                t.paused = true;
                LOG.info("{}: suspended process {}", id, t.pid());
                return Optional.empty();
            }
            case DESTROY -> {
                t.stopRequested = true;
                signal(t, LibC.SIGKILL);
                return Optional.of(t);
            }
            case SHUTDOWN -> {
                t.stopRequested = true;
                signal(t, LibC.SIGTERM);
                if (t.paused || ProcStat.read(t.pid()).map(ProcStat::stopped).orElse(false)) {
                    signal(t, LibC.SIGCONT);
                    t.paused = false;
                }
                return Optional.of(t);
            }
            default -> throw new IllegalStateException("unknown stop mode " + mode);
        }
    }

    private Mono<Void> awaitStopped(Tracked t, StopMode mode, Duration grace) {
        Mono<Void> exit = exitOf(t);
        Mono<Void> gone = mode == StopMode.SHUTDOWN
                ? exit.timeout(grace, Mono.defer(() -> backend.blocking(() -> {
                    LOG.info("{}: process {} still running after {}; killing it", id, t.pid(), grace);
                    signal(t, LibC.SIGKILL);
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
    private Mono<Void> exitOf(Tracked t) {
        Mono<Void> reaped = Mono.fromFuture(t.handle::onExit, true).then();
        if (t.child.isPresent()) {
            return reaped;
        }
        Mono<Void> vanished = backend.blocking(() -> !alive(t))
                .filter(Boolean::booleanValue)
                .repeatWhenEmpty(Integer.MAX_VALUE, polls -> polls.concatMap(n -> Mono.delay(EXIT_POLL, backend.timer())))
                .then();
        return Mono.firstWithSignal(reaped, vanished);
    }

    // ---- signals

    /** Signals the process, or its whole process group when it leads one (started through setsid). */
    private void signal(Tracked t, int sig) {
        long pid = t.pid();
        boolean group = ProcStat.read(pid).map(ProcStat::leadsGroup).orElse(false);
        int target = (int) (group ? -pid : pid);
        OptionalInt errno = Signals.send(target, sig);
        if (errno.isPresent() && errno.getAsInt() != LibC.ESRCH) {
            throw new BackendException(id, "signal-failed", Signals.name(sig) + " to "
                    + (group ? "process group " : "process ") + pid + " failed: errno " + errno.getAsInt());
        }
    }

    /** Waits (bounded) until {@code /proc/PID/stat} satisfies {@code done} or the process is gone. */
    private static void awaitStat(long pid, Predicate<ProcStat> done) {
        long deadline = System.nanoTime() + KERNEL_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            Optional<ProcStat> s = ProcStat.read(pid);
            if (s.isEmpty() || done.test(s.get())) {
                return;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
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
