package org.jitsu.backend.libvirt;

import com.sun.jna.Pointer;
import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What libvirt needs once per process, before the first connection is opened: the default event loop
 * (registered, then run on its own daemon thread, because {@code virEventRunDefaultImpl} blocks) and
 * an error callback that keeps libvirt from printing every error to stderr. Errors are still reported
 * to the caller through the thread-local last error, which libvirt-java turns into exceptions.
 *
 * <p>This is process-wide state by libvirt's design (one default event loop per process); connections
 * themselves are never shared statically.
 */
final class LibvirtRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtRuntime.class);

    /** Strong reference: JNA callbacks are freed when their Java object is collected. */
    private static final Libvirt.VirErrorCallback QUIET_ERRORS = LibvirtRuntime::onError;

    private static final Object LOCK = new Object();
    private static volatile boolean started;

    private LibvirtRuntime() {
    }

    /** Starts the event loop and installs the error callback; idempotent and thread-safe. */
    static void ensureStarted() throws LibvirtException {
        if (started) {
            return;
        }
        synchronized (LOCK) {
            if (started) {
                return;
            }
            Connect.setErrorCallback(QUIET_ERRORS);
            Library.initEventLoop();
            Thread loop = new Thread(LibvirtRuntime::runLoop, "libvirt-event-loop");
            loop.setDaemon(true);
            loop.start();
            started = true;
        }
    }

    private static void runLoop() {
        try {
            Library.runEventLoop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LibvirtException | RuntimeException e) {
            // Without the loop no events arrive and keepalive stops; state reads still work.
            LOG.error("libvirt event loop stopped: {}", e.toString());
        }
    }

    private static void onError(Pointer userData, virError error) {
        if (LOG.isTraceEnabled() && error != null) {
            LOG.trace("libvirt error {}: {}", error.code, error.message);
        }
    }
}
