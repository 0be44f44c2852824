package org.jitsu.backend.readiness;

import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** {@code backend: running}: polls the VM's state until the backend reports it running. */
record BackendRunningCheck(Scheduler timer) implements ReadinessCheck {

    @Override
    public Mono<Void> await(Vm vm) {
        return Retry.until(vm.state().map(s -> s == VmState.RUNNING), timer);
    }

    @Override
    public String describe() {
        return "backend running";
    }
}
