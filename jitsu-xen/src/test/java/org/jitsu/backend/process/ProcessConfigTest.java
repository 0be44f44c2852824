package org.jitsu.backend.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jitsu.backend.Backend;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Validation of backend settings and service specs: every error names its key. */
@Tag("fast")
class ProcessConfigTest {
    @TempDir
    Path stateDir;
    private Backend backend;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private Backend backend(Map<String, ?> settings) {
        BackendFactory factory = ServiceLoader.load(BackendFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("process"))
                .findFirst()
                .orElseThrow();
        backend = factory.create("local", Settings.of("backends.local", settings),
                new BackendContext(stateDir, Schedulers.immediate()));
        return backend;
    }

    private static Settings spec(Map<String, ?> spec) {
        return Settings.of("services[0].process", spec);
    }

    private static String keyOf(Throwable e) {
        return ((ConfigException) e).key();
    }

    @Test
    void factoryIsRegisteredForServiceLoader() {
        Backend b = backend(Map.of());
        assertThat(b.type()).isEqualTo("process");
        assertThat(b.name()).isEqualTo("local");
    }

    @Test
    void unknownBackendSettingIsRejected() {
        assertThatThrownBy(() -> backend(Map.of("colour", "red")))
                .isInstanceOf(ConfigException.class)
                .extracting(ProcessConfigTest::keyOf).isEqualTo("backends.local.colour");
    }

    @Test
    void readyCreatesTheStateDirectory() {
        Backend b = backend(Map.of());
        StepVerifier.create(b.ready()).expectComplete().verify(Duration.ofSeconds(5));
        assertThat(stateDir.resolve("local/pids")).isDirectory();
        assertThat(stateDir.resolve("local/logs")).isDirectory();
    }

    @Test
    void readyFailsWhenTheStateDirectoryCannotBeCreated() throws IOException {
        Path file = Files.writeString(stateDir.resolve("not-a-dir"), "x");
        Backend b = backend(Map.of("state-dir", file.toString()));
        StepVerifier.create(b.ready())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(BackendException.class)
                        .hasMessageContaining(file.toString())
                        .extracting(x -> ((BackendException) x).code()).isEqualTo("state-io"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void threadsMustBePositive() {
        assertThatThrownBy(() -> backend(Map.of("threads", 0)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backends.local.threads: 0 (expected: an integer from 1");
    }

    @Test
    void commandIsRequired() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of("directory", "/tmp"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("services[0].process.command: missing (expected: a list of strings");
    }

    @Test
    void unknownSpecKeyIsRejected() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of("command", List.of("sleep", "1"), "args", "x"))))
                .isInstanceOf(ConfigException.class)
                .extracting(ProcessConfigTest::keyOf).isEqualTo("services[0].process.args");
    }

    @Test
    void missingBusyboxGetsTheDebianHint() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of(
                "command", List.of("busybox", "httpd", "-f"),
                "environment", Map.of("PATH", stateDir.resolve("empty").toString())))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0].process.command[0]: busybox (expected: an executable on PATH"
                        + " (not found; on Debian 12: apt-get install -y busybox))");
    }

    @Test
    void missingOtherCommandGetsAGenericHint() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of("command", List.of("no-such-command-jitsu")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("services[0].process.command[0]: no-such-command-jitsu")
                .hasMessageContaining("install it or give its absolute path");
    }

    @Test
    void singleStringCommandIsOneArgvElementNotSplit() {
        Backend b = backend(Map.of());
        // "sleep 1" is not split by a shell: there is no executable called "sleep 1".
        assertThatThrownBy(() -> b.define("web", spec(Map.of("command", "sleep 1"))))
                .isInstanceOf(ConfigException.class)
                .extracting(ProcessConfigTest::keyOf).isEqualTo("services[0].process.command[0]");
    }

    @Test
    void commandIsResolvedOnPathAndDefaultsApply() {
        ProcessSpec s = ProcessSpec.parse("web", spec(Map.of("command", List.of("sleep", "5"))), stateDir, "/nonexistent:/usr/bin:/bin");
        assertThat(s.argv()).containsExactly("/usr/bin/sleep", "5");
        assertThat(s.log()).isEqualTo(stateDir.resolve("logs/web.log"));
        assertThat(s.directory()).isEmpty();
    }

    @Test
    void directoryMustExist() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of("command", List.of("sleep", "5"),
                "directory", stateDir.resolve("missing").toString()))))
                .isInstanceOf(ConfigException.class)
                .extracting(ProcessConfigTest::keyOf).isEqualTo("services[0].process.directory");
    }

    @Test
    void environmentValuesMustBeScalars() {
        Backend b = backend(Map.of());
        assertThatThrownBy(() -> b.define("web", spec(Map.of("command", List.of("sleep", "5"),
                "environment", Map.of("A", List.of("x"))))))
                .isInstanceOf(ConfigException.class)
                .extracting(ProcessConfigTest::keyOf).isEqualTo("services[0].process.environment.A");
    }

    @Test
    void procStatParsesCommandNamesWithParentheses() {
        ProcStat s = ProcStat.parse(42, "42 (a) b (c) T 1 42 42 0 -1 4194560").orElseThrow();
        assertThat(s.state()).isEqualTo('T');
        assertThat(s.stopped()).isTrue();
        assertThat(s.processGroup()).isEqualTo(42);
        assertThat(s.session()).isEqualTo(42);
        assertThat(s.leadsGroup()).isTrue();
        assertThat(ProcStat.parse(1, "garbage")).isEmpty();
    }

    @Test
    void signalToAGoneProcessReportsEsrch() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertThat(Signals.send((int) p.pid(), 0)).hasValue(LibC.ESRCH);
    }
}
