/**
 * Xenstore, the Xen host's configuration tree, through Debian's {@code libxenstore} (JNA, no JNI code
 * of ours): {@link org.jitsu.backend.xenstore.Xenstore} is one blocking connection (read, write, rm,
 * directory, permissions, watches, transactions run again on {@code EAGAIN});
 * {@link org.jitsu.backend.xenstore.XenstoreWatcher} waits for keys by watch on a thread of its own
 * and its own bounded scheduler, and survives a daemon that restarts;
 * {@link org.jitsu.backend.xenstore.XenstoreCheckFactory} is the readiness check
 * {@code xenstore: KEY} (the key a unikernel writes when it is ready, as the original Jitsu waited for).
 * The libvirt backend writes a domain's {@code xenstore:} configuration through
 * {@code Xenstore} while the domain is paused (Rumprun's {@code rumprun/cfg}).
 *
 * <p>Depends on: JNA, Reactor, SLF4J, the backend API and SPI, {@link org.jitsu.settings}. Nothing
 * here runs on an event loop; the library is loaded on first use, so configs are checked without it.
 */
package org.jitsu.backend.xenstore;
