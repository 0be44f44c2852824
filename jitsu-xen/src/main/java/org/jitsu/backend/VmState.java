package org.jitsu.backend;

/** What a backend says about a VM. */
public enum VmState {
    /** Not running; {@link Vm#start()} boots it. */
    STOPPED,
    /** Being created or resumed. */
    STARTING,
    /** Running (an idle Xen domain reporting "blocked" is running too). */
    RUNNING,
    /** Paused or suspended in memory (or saved to disk); {@link Vm#start()} resumes it. */
    PAUSED,
    /** Being shut down. */
    STOPPING,
    /** Died on its own; {@link Vm#start()} boots it again. */
    CRASHED,
    /** The backend could not tell. */
    UNKNOWN;

    /** True when a service on this VM can be answered without a start. */
    public boolean isRunning() {
        return this == RUNNING;
    }
}
