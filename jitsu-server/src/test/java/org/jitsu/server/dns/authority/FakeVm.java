package org.jitsu.server.dns.authority;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import reactor.core.publisher.Mono;

/**
 * A scripted VM: counts calls, and its start and stop do what the test says (complete at once by
 * default; or a {@code Sinks} the test completes, a virtual delay, an error, never). State is per
 * instance.
 */
final class FakeVm implements Vm {
    private final String id;
    private final Backend backend;
    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stateReads = new AtomicInteger();
    private final List<StopMode> stops = new CopyOnWriteArrayList<>();
    private volatile VmState state = VmState.STOPPED;
    private volatile Mono<Void> onStart = Mono.empty();
    private volatile Mono<Void> onStop = Mono.empty();

    FakeVm(String id, Backend backend) {
        this.id = id;
        this.backend = backend;
    }

    /** What every later {@link #start()} does before the VM counts as running. */
    FakeVm startWith(Mono<Void> behaviour) {
        this.onStart = behaviour;
        return this;
    }

    /** What every later {@link #stop} does before the VM counts as stopped. */
    FakeVm stopWith(Mono<Void> behaviour) {
        this.onStop = behaviour;
        return this;
    }

    FakeVm setState(VmState state) {
        this.state = state;
        return this;
    }

    int starts() {
        return starts.get();
    }

    List<StopMode> stops() {
        return List.copyOf(stops);
    }

    int stateReads() {
        return stateReads.get();
    }

    int backendCalls() {
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
            return onStart.then(Mono.fromRunnable(() -> state = VmState.RUNNING));
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
