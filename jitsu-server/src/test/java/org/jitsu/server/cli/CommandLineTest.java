package org.jitsu.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jitsu.server.FakeBackends;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operations part of the command line: {@code --stop-services-on-exit} and {@code status}. */
@Tag("fast")
class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void stopServicesOnExitIsAServeOption() {
        assertThat(Main.Command.parse(List.of("serve", "--stop-services-on-exit")).orElseThrow().stopServices())
                .isTrue();
        assertThat(Main.Command.parse(List.of("serve", "-c", "x.yml")).orElseThrow().stopServices()).isFalse();
        assertThatThrownBy(() -> Main.Command.parse(List.of("check", "--stop-services-on-exit")))
                .hasMessageContaining("unknown option");
        assertThat(Main.USAGE).contains("--stop-services-on-exit").contains("status");
    }

    @Test
    void statusParsesItsConfig() {
        Main.Command c = Main.Command.parse(List.of("status", "--config", "a.yml")).orElseThrow();
        assertThat(c.name()).isEqualTo("status");
        assertThat(c.config()).isEqualTo("a.yml");
    }

    @Test
    void statusWithoutARunningServerSaysSoAndExits1() throws Exception {
        int port = org.jitsu.server.testing.JitsuServerExtension.freePort("127.0.0.1");
        Path file = Files.writeString(dir.resolve("j.yml"), "admin: {address: \"127.0.0.1:" + port + "\"}\n"
                + FakeBackends.CONFIG.replace("admin: {address: \"127.0.0.1:0\"}\n", ""));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"status", "--config", file.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(Main.EXIT_START_FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach the admin API at http://127.0.0.1:"
                + port + "/api/services");
    }

    @Test
    void statusWithTheAdminApiOffIsAUsageError() throws Exception {
        Path file = Files.writeString(dir.resolve("j.yml"), FakeBackends.CONFIG.replace(
                "admin: {address: \"127.0.0.1:0\"}", "admin: {enabled: false}"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"status", "--config", file.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("admin.enabled is false");
    }
}
