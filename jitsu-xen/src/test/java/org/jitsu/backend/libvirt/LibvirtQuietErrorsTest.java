package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libvirt prints every error to the process's stderr unless an error callback is installed. Checked in
 * child JVMs, since libvirt writes to file descriptor 2 directly: without the backend's set-up the
 * error shows up on stderr (so the check can fail), with it stderr stays clean and the caller still gets
 * the error code.
 */
@Tag("native")
class LibvirtQuietErrorsTest {
    @TempDir
    Path dir;

    @Test
    void errorCallbackKeepsLibvirtOffStderr() throws Exception {
        Output noisy = run("default");
        assertThat(noisy.stdout()).contains("code VIR_ERR_NO_DOMAIN");
        assertThat(noisy.stderr()).contains("libvirt:").contains("Domain not found");

        Output quiet = run("quiet");
        assertThat(quiet.stdout()).contains("code VIR_ERR_NO_DOMAIN");
        assertThat(quiet.stderr()).doesNotContain("libvirt:").doesNotContain("Domain not found");
    }

    private record Output(String stdout, String stderr) {
    }

    private Output run(String mode) throws IOException, InterruptedException {
        Path out = dir.resolve(mode + ".out");
        Path err = dir.resolve(mode + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dlogback.configurationFile=/dev/null", QuietErrorsMain.class.getName(), mode))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
        return new Output(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
