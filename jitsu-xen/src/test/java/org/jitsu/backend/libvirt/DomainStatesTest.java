package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.jitsu.backend.VmState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;

/** libvirt states and lifecycle events as Jitsu sees them. */
@Tag("fast")
class DomainStatesTest {

    @Test
    void mapsEveryLibvirtState() {
        assertThat(DomainStates.map(DomainStates.NOSTATE, false)).isEqualTo(VmState.UNKNOWN);
        assertThat(DomainStates.map(DomainStates.RUNNING, false)).isEqualTo(VmState.RUNNING);
        assertThat(DomainStates.map(DomainStates.BLOCKED, false)).isEqualTo(VmState.RUNNING);
        assertThat(DomainStates.map(DomainStates.PAUSED, false)).isEqualTo(VmState.PAUSED);
        assertThat(DomainStates.map(DomainStates.SHUTDOWN, false)).isEqualTo(VmState.STOPPING);
        assertThat(DomainStates.map(DomainStates.SHUTOFF, false)).isEqualTo(VmState.STOPPED);
        assertThat(DomainStates.map(DomainStates.SHUTOFF, true)).isEqualTo(VmState.PAUSED);
        assertThat(DomainStates.map(DomainStates.CRASHED, false)).isEqualTo(VmState.CRASHED);
        assertThat(DomainStates.map(DomainStates.PMSUSPENDED, false)).isEqualTo(VmState.PAUSED);
        assertThat(DomainStates.map(42, false)).isEqualTo(VmState.UNKNOWN);
    }

    @Test
    void mapsLifecycleEvents() {
        // Detail numbers are libvirt's: STOPPED 1 = destroyed, 4 = saved; STARTED 0 = booted.
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.STOPPED, 1))).contains(VmState.STOPPED);
        assertThat(DomainStates.describe(new DomainEvent(DomainEventType.STOPPED, 1))).isEqualTo("stopped (destroyed)");
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.STOPPED, 4))).contains(VmState.PAUSED);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.STARTED, 0))).contains(VmState.RUNNING);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.RESUMED, 0))).contains(VmState.RUNNING);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.SUSPENDED, 0))).contains(VmState.PAUSED);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.PMSUSPENDED, 0))).contains(VmState.PAUSED);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.SHUTDOWN, 0))).contains(VmState.STOPPING);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.CRASHED, 0))).contains(VmState.CRASHED);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.UNDEFINED, 0))).contains(VmState.STOPPED);
        assertThat(DomainStates.ofEvent(new DomainEvent(DomainEventType.DEFINED, 0))).isEmpty();
    }
}
