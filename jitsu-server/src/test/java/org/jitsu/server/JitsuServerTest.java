package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jitsu.server.FakeBackends.CONFIG;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.FakeBackends.FakeFactory;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The assembly up to the pipeline, with fake backends (the pipeline and front end are covered by the ITs). */
@Tag("fast")
class JitsuServerTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final FakeFactory factory = new FakeFactory("fake");
    private final List<String> parsedReadiness = new CopyOnWriteArrayList<>();

    private JitsuServer.Builder builder(String yaml) {
        return JitsuServer.builder(JitsuConfig.parse(yaml, "test.yml"))
                .timer(timer)
                .backendFactories(List.of(factory, new FakeFactory("other")))
                .readinessParser(this::parseReadiness)
                .startTimeout(Duration.ofSeconds(5));
    }

    private ReadinessCheck parseReadiness(Settings item, Scheduler s) {
        assertThat(s).isSameAs(timer);
        if (item.has("broken")) {
            throw new ConfigException(item.keyPath("broken"), item.raw("broken").orElse(""), "a working check");
        }
        parsedReadiness.add(item.path() + "=" + item.keys());
        return vm -> Mono.empty();
    }

    @Test
    void validateCreatesBackendsByTypeDefinesEveryVmAndClosesThem() {
        builder(CONFIG).validate();

        assertThat(factory.created).extracting(ScriptedBackend::name).containsExactly("one", "two");
        ScriptedBackend one = factory.created.get(0);
        ScriptedBackend two = factory.created.get(1);
        assertThat(factory.settings.get("one").path()).isEqualTo("backends.one");
        assertThat(factory.settings.get("one").keys()).containsExactly("flavour");
        assertThat(factory.contexts.get("one").stateDir()).isEqualTo(Path.of("/tmp/jitsu-test-state"));
        assertThat(factory.contexts.get("two").stateDir()).isEqualTo(Path.of("/tmp/jitsu-test-state"));
        assertThat(factory.contexts.get("one").timer()).isSameAs(timer);

        assertThat(one.specs()).containsOnlyKeys("a");
        assertThat(one.specs().get("a").path()).isEqualTo("services[0].fake");
        assertThat(one.specs().get("a").string("command")).isEqualTo("run-a");
        assertThat(two.specs()).containsOnlyKeys("b");
        assertThat(two.specs().get("b").keys()).isEmpty();
        assertThat(two.specs().get("b").path()).isEqualTo("services[1].fake");

        assertThat(parsedReadiness).containsExactly(
                "services[0].readiness[0]=[delay]",
                "services[0].readiness[1]=[http]",
                "services[1].readiness[0]=[backend]");
        assertThat(one.closed()).isTrue();
        assertThat(two.closed()).isTrue();
        assertThat(one.readyCalls() + two.readyCalls()).as("validate starts nothing").isZero();
    }

    @Test
    void unknownBackendTypeNamesTheKey() {
        String yaml = CONFIG.replace("two: {type: fake}", "two: {type: libvirt}");
        assertThatThrownBy(() -> builder(yaml).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessage("backends.two.type: libvirt (expected: one of [fake, other])");
        assertThat(factory.created).hasSize(1);
        assertThat(factory.created.get(0).closed()).as("backends created before the error are closed").isTrue();
    }

    @Test
    void noInstalledFactoryIsAClearError() {
        assertThatThrownBy(() -> JitsuServer.builder(JitsuConfig.parse(CONFIG, "t")).backendFactories(List.of())
                .validate())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backends.one.type: fake (expected: a backend type, but none is installed");
    }

    @Test
    void invalidServiceSpecFromTheBackendClosesEveryBackend() {
        String yaml = CONFIG.replace("fake: {command: run-a}", "fake: {command: \"\"}");
        assertThatThrownBy(() -> builder(yaml).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("services[0].fake.command: ");
        assertThat(factory.created).allMatch(ScriptedBackend::closed);
    }

    @Test
    void aStopModeTheBackendDoesNotSupportNamesTheKey() {
        String yaml = CONFIG.replace("    backend: two\n", "    backend: two\n    stop: {mode: save}\n");
        assertThatThrownBy(() -> builder(yaml).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[1].stop.mode: save (expected: one of destroy, shutdown, suspend"
                        + " (what backend two of type fake supports))");
        assertThat(factory.created).hasSize(2).allMatch(ScriptedBackend::closed);
    }

    @Test
    void invalidReadinessItemClosesEveryBackend() {
        String yaml = CONFIG.replace("{delay: 1ms}", "{broken: yes}");
        assertThatThrownBy(() -> builder(yaml).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("services[0].readiness[0].broken: ");
        assertThat(factory.created).hasSize(2).allMatch(ScriptedBackend::closed);
    }

    @Test
    void invalidBackendSettingsNameTheKey() {
        String yaml = CONFIG.replace("flavour: plain", "flavour: sour");
        assertThatThrownBy(() -> builder(yaml).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backends.one.flavour: sour");
    }

    @Test
    void twoFactoriesForOneTypeAreRejected() {
        assertThatThrownBy(() -> JitsuServer.builder(JitsuConfig.parse(CONFIG, "t"))
                .backendFactories(List.of(factory, new FakeFactory("fake"))).validate())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two backend factories for type fake");
    }

    @Test
    void startFailsCleanlyWhenABackendIsNotReady() {
        factory.readyError = new IllegalStateException("connection refused");
        assertThatThrownBy(() -> builder(CONFIG).start())
                .isInstanceOf(JitsuStartException.class)
                .hasMessage("failed waiting for the backends to be ready: connection refused")
                .satisfies(e -> assertThat(((JitsuStartException) e).isBindFailure()).isFalse());
        assertThat(factory.created).hasSize(2).allMatch(ScriptedBackend::closed);
    }

    @Test
    void bindFailuresAreRecognised() {
        assertThat(JitsuServerBuilder.isBindFailure(new java.net.BindException("Address already in use"))).isTrue();
        assertThat(JitsuServerBuilder.isBindFailure(new RuntimeException("x",
                new java.io.IOException("bind(..) failed: Address already in use")))).isTrue();
        assertThat(JitsuServerBuilder.isBindFailure(new IllegalStateException("no route"))).isFalse();
        assertThat(JitsuServerBuilder.rootMessage(new RuntimeException("outer", new IllegalStateException("inner"))))
                .isEqualTo("inner");
    }
}
