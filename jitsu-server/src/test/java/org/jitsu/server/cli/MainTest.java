package org.jitsu.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jitsu.server.FakeBackends;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.JitsuStartException;
import org.jitsu.server.ReadinessParser;
import org.jitsu.server.config.JitsuConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

@Tag("fast")
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final FakeBackends.FakeFactory factory = new FakeBackends.FakeFactory("fake");

    private int run(Function<JitsuConfig, JitsuServer.Builder> builders, String... args) {
        return new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                builders).run(args);
    }

    private int run(String... args) {
        return run(c -> JitsuServer.builder(c).backendFactories(List.of(factory))
                .readinessParser((item, timer) -> vm -> Mono.empty()), args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void help() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(stdout()).contains("Usage: jitsu serve [--config FILE]").contains("jitsu check");
        assertThat(stderr()).isEmpty();
        assertThat(run("check", "--help")).isEqualTo(0);
    }

    @Test
    void version() {
        assertThat(run("--version")).isEqualTo(0);
        assertThat(stdout()).matches("jitsu \\d+\\.\\d+\\.\\d+.*\\R");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: missing command").contains("Usage:");
        err.reset();
        assertThat(run("start")).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: unknown command: start\n");
        err.reset();
        assertThat(run("check", "--verbose")).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: unknown option: --verbose\n");
        err.reset();
        assertThat(run("check", "--config")).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: --config needs a file name\n");
        err.reset();
        assertThat(run("serve", "extra")).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: unexpected argument: extra\n");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void checkOkPrintsCounts() throws IOException {
        Path file = write("ok.yml", FakeBackends.CONFIG);
        assertThat(run("check", "--config", file.toString())).isEqualTo(0);
        assertThat(stdout()).isEqualTo(file + ": ok (1 zone, 2 services)\n");
        assertThat(stderr()).isEmpty();
        assertThat(factory.created).hasSize(2).allMatch(b -> b.closed() && b.readyCalls() == 0);
        out.reset();
        assertThat(run("check", "--config=" + file)).isEqualTo(0);
        assertThat(stdout()).startsWith(file + ": ok");
    }

    @Test
    void checkOnABrokenConfigNamesTheKey() throws IOException {
        Path file = write("bad.yml", FakeBackends.CONFIG.replace("backend: two", "backend: three"));
        assertThat(run("check", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jitsu: " + file
                + ": services[1].backend: three (expected: one of the backends: one, two)\n");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void checkReportsErrorsFoundByTheBackends() throws IOException {
        Path file = write("bad.yml", FakeBackends.CONFIG.replace("fake: {command: run-a}", "fake: {cmd: x}"));
        assertThat(run("check", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: " + file + ": services[0].fake.cmd: unknown key");
    }

    @Test
    void missingOrUnreadableFile() {
        Path missing = dir.resolve("nope.yml");
        assertThat(run("check", "--config", missing.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jitsu: " + missing + ": no such file\n");
        err.reset();
        assertThat(run("serve", "--config", dir.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: " + dir + ": cannot read: ").doesNotContain("\tat ");
    }

    @Test
    void serveWithABrokenConfigExitsWithTwo() throws IOException {
        Path file = write("bad.yml", "listen: {port: -1}\n" + FakeBackends.CONFIG);
        assertThat(run("serve", "--config", file.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("jitsu: " + file + ": listen.port: -1 (expected: ");
    }

    @Test
    void serveThatCannotBindExitsWithOneOnOneLine() throws IOException {
        Path file = write("ok.yml", FakeBackends.CONFIG);
        int code = run(c -> new FailingBuilder(new JitsuStartException(
                "cannot listen on 127.0.0.1 port 5353: bind(..) failed: Address already in use", null, true)),
                "serve", "--config", file.toString());
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).isEqualTo("jitsu: cannot listen on 127.0.0.1 port 5353: bind(..) failed: Address already in use\n");
    }

    @Test
    void serveThatFailsUnexpectedlyExitsWithOne() throws IOException {
        Path file = write("ok.yml", FakeBackends.CONFIG);
        int code = run(c -> new FailingBuilder(new UnsupportedOperationException("pipeline not built yet")),
                "serve", "--config", file.toString());
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).isEqualTo("jitsu: cannot start: pipeline not built yet\n");
    }

    /** A builder whose start fails. */
    private static final class FailingBuilder implements JitsuServer.Builder {
        private final RuntimeException failure;

        FailingBuilder(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public JitsuServer.Builder timer(reactor.core.scheduler.Scheduler timer) {
            return this;
        }

        @Override
        public JitsuServer.Builder backendFactories(java.util.Collection<? extends org.jitsu.backend.spi.BackendFactory> f) {
            return this;
        }

        @Override
        public JitsuServer.Builder readinessParser(ReadinessParser parser) {
            return this;
        }

        @Override
        public JitsuServer.Builder startTimeout(Duration timeout) {
            return this;
        }

        @Override
        public JitsuServer start() {
            throw failure;
        }

        @Override
        public void validate() {
        }
    }
}
