package org.jitsu.backend.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import reactor.core.publisher.Mono;

/**
 * A VM of a {@link ScriptedBackend}: counts calls, and its start and stop do what the caller says.
 * By default both complete at once, on the subscriber's thread; {@link #startWith} and
 * {@link #stopWith} put any {@code Mono} in front (a sink the test completes, a virtual delay, an
 * error, {@code Mono.never()}). A start also waits for the backend's {@linkplain ScriptedBackend#gate()
 * gate}. A start that completes makes the VM running; a stop makes it stopped, or paused when it
 * suspends.
 */
public final class ScriptedVm implements Vm {
    private final String id;
    private final ScriptedBackend backend;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stateReads = new AtomicInteger();
    private final ConcurrentLinkedQueue<StopMode> stops = new ConcurrentLinkedQueue<>();
    private volatile VmState state = VmState.STOPPED;
    private volatile Mono<Void> onStart = Mono.empty();
    private volatile Mono<Void> onStop = Mono.empty();

    ScriptedVm(String id, ScriptedBackend backend) {
        this.id = id;
        this.backend = backend;
    }

    /** What every later {@link #start()} does before the VM counts as running. */
    public ScriptedVm startWith(Mono<Void> behaviour) {
        this.onStart = Objects.requireNonNull(behaviour, "behaviour");
        return this;
    }

    /** What every later {@link #stop} does before the VM counts as stopped. */
    public ScriptedVm stopWith(Mono<Void> behaviour) {
        this.onStop = Objects.requireNonNull(behaviour, "behaviour");
        return this;
    }

    /** Sets the state {@link #state()} reports, without an event. */
    public ScriptedVm setState(VmState state) {
        this.state = Objects.requireNonNull(state, "state");
        return this;
    }

    public int starts() {
        return starts.get();
    }

    /** The stop modes asked for, in order. */
    public List<StopMode> stops() {
        return List.copyOf(stops);
    }

    public int stateReads() {
        return stateReads.get();
    }

    /** Every call that reached the backend: starts, stops and state reads. */
    public int backendCalls() {
        return starts.get() + stops.size() + stateReads.get();
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
        return Mono.fromSupplier(() -> {
            stateReads.incrementAndGet();
            return state;
        });
    }

    @Override
    public Mono<Void> start() {
        return Mono.defer(() -> {
            starts.incrementAndGet();
            return onStart.then(backend.countStart()).then(Mono.fromRunnable(() -> state = VmState.RUNNING));
        });
    }

    @Override
    public Mono<Void> stop(StopMode mode, Duration grace) {
        return Mono.defer(() -> {
            stops.add(mode);
            return onStop.then(Mono.fromRunnable(
                    () -> state = mode == StopMode.SUSPEND ? VmState.PAUSED : VmState.STOPPED));
        });
    }
}
