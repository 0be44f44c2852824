package org.jitsu.backend.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Helpers for tests that run real processes and sockets on loopback. */
public final class TestProcesses {
    private TestProcesses() {
    }

    /** Kills, by PID, every process this test JVM started (directly or through a backend) that still runs. */
    public static void killDescendants() {
        ProcessHandle.current().descendants().forEach(h -> {
            h.destroyForcibly();
            h.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> h).join();
        });
    }

    /** A port that was free on {@code address} a moment ago (bind port 0, read it, close). */
    public static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByAddress(literal(address)), 0));
            return s.getLocalPort();
        }
    }

    /** The bytes of a dotted IPv4 literal (no resolver involved). */
    public static byte[] literal(String address) {
        String[] parts = address.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        return b;
    }

    /** Waits until {@code condition} holds, failing after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
