/**
 * The libvirt backend ({@code type: libvirt}): services run as libvirt domains on Xen, QEMU/KVM or
 * libvirt's in-process test driver, through libvirt-java over JNA.
 *
 * <p>Shape: {@link org.jitsu.backend.libvirt.LibvirtBackendFactory} (public, found by
 * {@link java.util.ServiceLoader}) validates the settings and builds a package-private backend. All
 * libvirt calls cross one boundary ({@code LibvirtConnection.call}): they run on the backend's own
 * bounded scheduler, and libvirt's errors become {@link org.jitsu.backend.BackendException}s carrying the
 * domain and libvirt's error code name. libvirt's default event loop runs once per process on its own
 * daemon thread, started before the first connection ({@code LibvirtRuntime}); lifecycle callbacks only
 * read the domain's name and UUID and emit a {@link org.jitsu.backend.VmEvent}. A service names an
 * existing domain or a domain XML template ({@code DomainTemplate}, compiled once, filled per service).
 *
 * <p>Depends on: libvirt-java ({@code org.libvirt}) and JNA (libvirt-java's transport; directly, the
 * error callback's {@code Pointer} and a one-function binding of {@code virDomainGetState} in
 * {@code DomainStates}, which libvirt-java 0.5.3 lacks), loading the system's {@code libvirt.so.0}
 * (Debian package libvirt0) on first use; the JDK's XML parser ({@code javax.xml}, DOM) to read
 * templates; Reactor, SLF4J, the backend API, the SPI and {@link org.jitsu.settings}.
 */
package org.jitsu.backend.libvirt;
