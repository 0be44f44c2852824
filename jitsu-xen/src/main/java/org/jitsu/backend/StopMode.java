package org.jitsu.backend;

import java.util.Locale;

/** How an idle VM is stopped. */
public enum StopMode {
    /** Destroyed at once (SIGKILL for processes). */
    DESTROY,
    /** Asked to shut down (ACPI/PV shutdown, SIGTERM), destroyed after a grace period. */
    SHUTDOWN,
    /** Paused in memory (SIGSTOP for processes); the next query resumes it. */
    SUSPEND,
    /**
     * Saved to disk and stopped (libvirt managed save); the next query restores it. Backends that
     * cannot save reject it when the service is defined.
     */
    SAVE;

    /** The name used in config files. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
