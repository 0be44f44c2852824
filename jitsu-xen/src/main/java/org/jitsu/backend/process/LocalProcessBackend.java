package org.jitsu.backend.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import org.jitsu.backend.Backend;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The process backend: local commands as VMs, tracked through pidfiles in the state directory. */
final class LocalProcessBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessBackend.class);
    private static final int QUEUED_TASKS = 10_000;

    private final String name;
    private final Path stateDir;
    private final Scheduler timer;
    private final Scheduler blocking;
    private final ProcessLauncher.Prefix prefix;
    private final String inheritedPath;
    private final Sinks.Many<VmEvent> events = Sinks.many().multicast().directBestEffort();
    private volatile boolean closed;

    LocalProcessBackend(String name, Path stateDir, int threads, Scheduler timer, Optional<Path> setsid,
            RunAs runAs, Optional<Path> setpriv, String inheritedPath) {
        this.name = name;
        this.stateDir = stateDir;
        this.timer = timer;
        this.prefix = ProcessLauncher.Prefix.of(setsid, runAs, setpriv);
        this.inheritedPath = inheritedPath;
        this.blocking = Schedulers.newBoundedElastic(threads, QUEUED_TASKS, "jitsu-process-" + name, 60, true);
        if (setsid.isEmpty()) {
            LOG.warn("backend {}: setsid not found on PATH; services share Jitsu's session and see its Ctrl-C", name);
        }
        if (runAs.root()) {
            LOG.warn("backend {}: service commands run as root, the server's user; set backends.{}.user to run"
                    + " them as another", name, name);
        } else if (!runAs.self()) {
            LOG.info("backend {}: service commands run as uid {} gid {}{}", name, runAs.uid(), runAs.gid(),
                    runAs.user().map(u -> " (" + u + ")").orElse(""));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return ProcessBackendFactory.TYPE;
    }

    @Override
    public Vm define(String serviceId, Settings spec) {
        if (serviceId.isEmpty() || serviceId.indexOf('/') >= 0 || serviceId.indexOf('\0') >= 0
                || serviceId.equals(".") || serviceId.equals("..")) {
            throw new ConfigException(spec.path(), serviceId, "a service id usable as a file name (no '/')");
        }
        ProcessSpec parsed = ProcessSpec.parse(serviceId, spec, stateDir, inheritedPath);
        return new ProcessVm(this, serviceId, parsed, stateDir.resolve("pids").resolve(serviceId + ".pid"));
    }

    /** Creates the state directory (pidfiles, logs); errors when it cannot be created or written. */
    @Override
    public Mono<Void> ready() {
        return blocking(() -> {
            for (String sub : new String[] {"pids", "logs"}) {
                Path dir = stateDir.resolve(sub);
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    throw new BackendException(name, "state-io", "cannot create " + dir + ": " + e, e);
                }
                if (!Files.isWritable(dir)) {
                    throw new BackendException(name, "state-io", "cannot write to " + dir);
                }
            }
            return Boolean.TRUE;
        }).then();
    }

    @Override
    public Flux<VmEvent> events() {
        return events.asFlux();
    }

    @Override
    public void close() {
        closed = true;
        synchronized (events) {
            events.tryEmitComplete();
        }
        blocking.dispose();
    }

    // ---- for ProcessVm

    /** Runs blocking work on this backend's bounded scheduler. */
    <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(blocking);
    }

    /** Runs fire-and-forget blocking work (exit bookkeeping); dropped once the backend is closed. */
    void later(Runnable work) {
        if (closed) {
            return;
        }
        try {
            blocking.schedule(work);
        } catch (RejectedExecutionException e) {
            LOG.debug("backend {} closed; dropped bookkeeping task", name);
        }
    }

    void emit(VmEvent event) {
        if (closed) {
            return;
        }
        synchronized (events) {
            events.tryEmitNext(event);
        }
    }

    Scheduler timer() {
        return timer;
    }

    ProcessLauncher.Prefix launchPrefix() {
        return prefix;
    }

    @Override
    public String toString() {
        return "process backend " + name + " (" + stateDir + ")";
    }
}
