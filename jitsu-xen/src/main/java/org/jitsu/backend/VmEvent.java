package org.jitsu.backend;

import java.util.Objects;

/**
 * A state change a backend observed.
 *
 * @param vmId the {@link Vm#id()} of the VM
 * @param state its new state
 * @param detail a short human-readable reason ("exited with status 1", "destroyed")
 */
public record VmEvent(String vmId, VmState state, String detail) {
    public VmEvent {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
    }
}
