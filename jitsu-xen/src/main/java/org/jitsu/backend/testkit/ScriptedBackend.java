package org.jitsu.backend.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jitsu.backend.Backend;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.settings.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A backend whose VMs do what the caller scripts. Each service id gets one {@link ScriptedVm},
 * created stopped on first use and kept; {@link #define} records the spec it was given and runs the
 * check set with {@link #checkSpecs}. {@link #gate()} holds every start until {@link #open()};
 * {@link #emit} and {@link #kill} report state changes as a hypervisor does.
 */
public final class ScriptedBackend implements Backend {
    private static final int RECORDED = 10_000;

    private final String name;
    private final String type;
    private final Sinks.Many<VmEvent> events = Sinks.many().multicast().directBestEffort();
    private final Map<String, ScriptedVm> vms = new ConcurrentHashMap<>();
    private final Map<String, Settings> specs = new ConcurrentHashMap<>();
    /** The first {@link #RECORDED} releases, in order (a benchmark releases millions: their count only). */
    private final ConcurrentLinkedQueue<String> released = new ConcurrentLinkedQueue<>();
    private final AtomicLong releases = new AtomicLong();
    private final AtomicLong starts = new AtomicLong();
    private final AtomicInteger readyCalls = new AtomicInteger();
    private volatile Consumer<Settings> specCheck = spec -> { };
    private volatile Sinks.Empty<Void> gate;
    private volatile RuntimeException readyError;
    private volatile boolean closed;

    private ScriptedBackend(String name, String type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    /** A backend of type {@code scripted} with this name. */
    public static ScriptedBackend named(String name) {
        return new ScriptedBackend(name, "scripted");
    }

    /** A backend with this name and type, as a factory of that type would create it. */
    public static ScriptedBackend of(String name, String type) {
        return new ScriptedBackend(name, type);
    }

    /** From now on {@link #define} runs this on each spec (e.g. {@code spec.allowOnly(...)}) first. */
    public ScriptedBackend checkSpecs(Consumer<Settings> check) {
        this.specCheck = Objects.requireNonNull(check, "check");
        return this;
    }

    /** The VM of this service id, created stopped on first use. */
    public ScriptedVm vm(String id) {
        return vms.computeIfAbsent(id, i -> new ScriptedVm(i, this));
    }

    /** From now on, every start waits until {@link #open()} before its VM counts as running. */
    public void gate() {
        gate = Sinks.empty();
    }

    /** Lets the waiting starts complete; later starts no longer wait. */
    public void open() {
        Sinks.Empty<Void> g = gate;
        gate = null;
        if (g != null) {
            g.tryEmitEmpty();
        }
    }

    /** Sets the VM's state and emits the event, as the hypervisor would; fails if it was not delivered. */
    public void emit(String vmId, VmState state, String detail) {
        vm(vmId).setState(state);
        Sinks.EmitResult result = events.tryEmitNext(new VmEvent(vmId, state, detail));
        if (result.isFailure()) {
            throw new IllegalStateException("event not delivered: " + result);
        }
    }

    /**
     * Reports the VM stopped, as a backend does when a VM dies. Waits (spinning, up to a second) for
     * a concurrent emission to finish, so it may be called from several threads.
     */
    public void kill(String vmId) {
        vm(vmId).setState(VmState.STOPPED);
        events.emitNext(new VmEvent(vmId, VmState.STOPPED, "killed"),
                Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    /** Makes {@link #ready()} fail with this error from now on; {@code null} makes it succeed again. */
    public void failReady(RuntimeException error) {
        this.readyError = error;
    }

    /** Starts of all this backend's VMs so far. */
    public long starts() {
        return starts.get();
    }

    /** Calls of {@link #ready()} so far. */
    public int readyCalls() {
        return readyCalls.get();
    }

    /** The spec each service was defined with, by service id. */
    public Map<String, Settings> specs() {
        return Map.copyOf(specs);
    }

    /** The ids of the VMs {@link #release}d so far, in order (the first 10,000). */
    public List<String> released() {
        return List.copyOf(released);
    }

    /** VMs released so far. */
    public long releases() {
        return releases.get();
    }

    /** Subscribers of {@link #events()} now. */
    public int eventSubscribers() {
        return events.currentSubscriberCount();
    }

    public boolean closed() {
        return closed;
    }

    Mono<Void> countStart() {
        starts.incrementAndGet();
        Sinks.Empty<Void> g = gate;
        return g == null ? Mono.empty() : g.asMono();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Vm define(String serviceId, Settings spec) {
        specCheck.accept(spec);
        specs.put(serviceId, spec);
        return vm(serviceId);
    }

    @Override
    public void release(Vm vm) {
        if (releases.incrementAndGet() <= RECORDED) {
            released.add(vm.id());
        }
        vms.remove(vm.id());
    }

    @Override
    public Flux<VmEvent> events() {
        return events.asFlux();
    }

    @Override
    public Mono<Void> ready() {
        return Mono.defer(() -> {
            readyCalls.incrementAndGet();
            RuntimeException e = readyError;
            return e == null ? Mono.empty() : Mono.error(e);
        });
    }

    @Override
    public void close() {
        closed = true;
        events.tryEmitComplete();
    }
}
