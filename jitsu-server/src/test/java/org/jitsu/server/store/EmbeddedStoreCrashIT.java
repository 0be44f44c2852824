package org.jitsu.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process writing the embedded store: every write it acknowledged (printed after the
 * store's Mono completed) is there when the store is opened again, and the file is never torn.
 */
@Tag("native")
class EmbeddedStoreCrashIT {
    private static final int AT_LEAST = 300;

    @TempDir
    Path dir;

    @RepeatedTest(5)
    void killMinusNineDuringWritesLosesNothingAcknowledged() throws Exception {
        Path store = dir.resolve("store");
        Path out = dir.resolve("writer.out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreWriterMain.class.getName(), store.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(out.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // let it write a while, so that the kill lands amid writing
            while (lastAcked(out) < AT_LEAST) {
                assertThat(p.isAlive()).as("the writer runs").isTrue();
                assertThat(System.nanoTime()).as("waiting for " + AT_LEAST + " writes").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            p.destroyForcibly(); // SIGKILL on Linux
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
        int acked = lastAcked(out); // what it printed before dying is acknowledged too
        try (StateStore reopened = StateStore.embedded(store, "reader")) {
            Map<String, String> services = reopened.services().block(Duration.ofSeconds(10));
            List<String> missing = new ArrayList<>();
            for (int i = 0; i <= acked; i++) {
                if (!services.containsKey("s" + i)) {
                    missing.add("s" + i);
                }
            }
            assertThat(missing).as("acknowledged writes missing after kill -9 (acked up to s" + acked + ")").isEmpty();
        }
    }

    private static int lastAcked(Path out) {
        try {
            int last = -1;
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (line.startsWith("acked ")) {
                    last = Integer.parseInt(line.substring(6));
                }
            }
            return last;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
