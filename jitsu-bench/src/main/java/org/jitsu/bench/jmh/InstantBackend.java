package org.jitsu.bench.jmh;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.settings.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An in-process backend whose VMs start at once, on the caller's thread: what is left of a boot is
 * Jitsu's own work. {@link #gate()} makes starts wait until {@link #open()}; {@link #kill(String)}
 * reports a VM stopped, as a backend does when a VM dies, so that the next query boots it again.
 */
public final class InstantBackend implements Backend {
    private final Map<String, VmState> states = new ConcurrentHashMap<>();
    private final Sinks.Many<VmEvent> events = Sinks.many().multicast().directBestEffort();
    private volatile Sinks.Empty<Void> gate = null;
    private final java.util.concurrent.atomic.AtomicLong starts = new java.util.concurrent.atomic.AtomicLong();

    private InstantBackend() {
    }

    public static InstantBackend create() {
        return new InstantBackend();
    }

    /** From now on, starts complete only when {@link #open()} is called. */
    public void gate() {
        gate = Sinks.empty();
    }

    /** Lets waiting starts complete; later starts are instant again. */
    public void open() {
        Sinks.Empty<Void> g = gate;
        gate = null;
        if (g != null) {
            g.tryEmitEmpty();
        }
    }

    /** Marks the VM stopped and tells the pipeline, as if it had died. */
    public void kill(String vmId) {
        states.put(vmId, VmState.STOPPED);
        events.emitNext(new VmEvent(vmId, VmState.STOPPED, "killed by the benchmark"),
                Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    /** Starts so far. */
    public long starts() {
        return starts.get();
    }

    /** A VM handle, stopped until started. */
    public Vm vm(String id) {
        states.putIfAbsent(id, VmState.STOPPED);
        return new InstantVm(id);
    }

    @Override
    public String name() {
        return "instant";
    }

    @Override
    public String type() {
        return "instant";
    }

    @Override
    public Vm define(String serviceId, Settings spec) {
        return vm(serviceId);
    }

    @Override
    public Flux<VmEvent> events() {
        return events.asFlux();
    }

    @Override
    public void close() {
        events.tryEmitComplete();
    }

    private final class InstantVm implements Vm {
        private final String id;

        InstantVm(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Backend backend() {
            return InstantBackend.this;
        }

        @Override
        public Mono<VmState> state() {
            return Mono.fromSupplier(() -> states.get(id));
        }

        @Override
        public Mono<Void> start() {
            return Mono.defer(() -> {
                starts.incrementAndGet();
                Sinks.Empty<Void> g = gate;
                Mono<Void> wait = g == null ? Mono.empty() : g.asMono();
                return wait.then(Mono.fromRunnable(() -> states.put(id, VmState.RUNNING)));
            });
        }

        @Override
        public Mono<Void> stop(StopMode mode, Duration grace) {
            return Mono.fromRunnable(() -> states.put(id, VmState.STOPPED));
        }
    }
}
