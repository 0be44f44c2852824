/**
 * The backend API: what the on-demand pipeline (jitsu-server) sees of the places VMs run.
 * {@link org.jitsu.backend.Backend} (a hypervisor connection or the local process table) defines
 * {@link org.jitsu.backend.Vm}s, whose operations return lazy, non-blocking Reactor publishers;
 * {@link org.jitsu.backend.VmState}, {@link org.jitsu.backend.StopMode} and
 * {@link org.jitsu.backend.VmEvent} are plain data; {@link org.jitsu.backend.BackendException} carries
 * the VM and an error code; {@link org.jitsu.backend.ReadinessCheck} is one step of deciding that a
 * started VM may be announced.
 *
 * <p>Depends on: the JDK, Reactor ({@code Mono}, {@code Flux}) and {@link org.jitsu.settings} (a VM
 * is defined from its config section). Nothing here knows a hypervisor, a wire format or a thread:
 * implementations live in the subpackages, which depend on this package and never the other way.
 */
package org.jitsu.backend;
