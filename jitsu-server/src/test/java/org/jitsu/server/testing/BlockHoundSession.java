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
                .install();
    }
}
