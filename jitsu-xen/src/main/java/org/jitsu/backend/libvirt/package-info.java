/**
 * The libvirt backend ({@code type: libvirt}): services run as libvirt domains on Xen, QEMU/KVM or
 * libvirt's in-process test driver, through libvirt-java over JNA.
 *
 * <p>Shape: {@link org.jitsu.backend.libvirt.LibvirtBackendFactory} (public, found by
 * {@link java.util.ServiceLoader}) validates the settings and builds a package-private backend. All
 * libvirt calls cross one boundary ({@code LibvirtConnection.call}): they run on the backend's own
 * bounded scheduler, and libvirt's errors become {@link org.jitsu.backend.BackendException}s carrying the
 * domain and libvirt's error code name. libvirt's default event loop runs once per process on its own
 * daemon thread, started before the first connection; lifecycle callbacks only read the domain's name
 * and UUID and emit a {@link org.jitsu.backend.VmEvent}.
 */
package org.jitsu.backend.libvirt;
