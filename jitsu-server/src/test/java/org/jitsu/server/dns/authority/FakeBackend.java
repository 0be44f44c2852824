package org.jitsu.server.dns.authority;

import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.backend.Backend;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.settings.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/** A scripted backend for pipeline tests: hands out {@link FakeVm}s and emits events on demand. */
final class FakeBackend implements Backend {
    private final String name;
    private final Sinks.Many<VmEvent> events = Sinks.many().multicast().directBestEffort();
    private final ConcurrentHashMap<String, FakeVm> vms = new ConcurrentHashMap<>();

    FakeBackend(String name) {
        this.name = name;
    }

    /** The VM with this id, created stopped on first use. */
    FakeVm vm(String id) {
        return vms.computeIfAbsent(id, i -> new FakeVm(i, this));
    }

    /** Emits an event as the hypervisor would, and sets the VM's state to match. */
    void emit(String vmId, VmState state, String detail) {
        vm(vmId).setState(state);
        Sinks.EmitResult result = events.tryEmitNext(new VmEvent(vmId, state, detail));
        if (result.isFailure()) {
            throw new IllegalStateException("event not delivered: " + result);
        }
    }

    int eventSubscribers() {
        return events.currentSubscriberCount();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "fake";
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
}
