package org.jitsu.server.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM, before any test runs: a blocking call on a Netty event loop
 * or on a Reactor non-blocking scheduler ({@code parallel}) then throws {@code BlockingOperationError}
 * instead of silently stalling every query behind it. Netty and Reactor register their own
 * integrations through {@code ServiceLoader}; what is added here is the few places we accept.
 */
public final class BlockHoundSession implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        BlockHound.builder()
                .loadIntegrations()
                // Logging writes to stderr synchronously; we log rarely on these threads (boots, stops).
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend")
                // The tcp and http readiness checks open and close JDK asynchronous channels on the timer
                // (parallel): registering a channel with the JDK's port (epoll) takes that port's write
                // lock, which its poller threads hold briefly while they dispatch events, so with many
                // checks at once (a template's instances booting together) the timer thread can park for
                // a moment. Thrown at there, the error leaves the JVM's default channel group wedged:
                // every later connect of every test times out.
                .allowBlockingCallsInside("sun.nio.ch.Port", "register")
                .allowBlockingCallsInside("sun.nio.ch.Port", "unregister")
                .install();
    }
}
