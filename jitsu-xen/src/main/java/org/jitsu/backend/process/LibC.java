package org.jitsu.backend.process;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The one libc call the process backend needs, bound through JNA. */
interface LibC extends Library {
    /** SIGCONT on Linux x86_64 and arm64. */
    int SIGCONT = 18;
    /** SIGSTOP on Linux x86_64 and arm64. */
    int SIGSTOP = 19;
    /** SIGTERM. */
    int SIGTERM = 15;
    /** SIGKILL. */
    int SIGKILL = 9;
    /** No such process. */
    int ESRCH = 3;

    /** {@code kill(2)}: 0 on success, -1 with errno set on failure. */
    int kill(int pid, int sig);

    /** The process-wide binding, loaded on first use. */
    static LibC get() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: JNA loads libc the first time a signal is sent. */
    final class Holder {
        static final LibC INSTANCE = Native.load("c", LibC.class);

        private Holder() {
        }
    }
}
