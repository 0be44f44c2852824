package org.jitsu.backend.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** {@link ReadinessChecks} as a registry of {@link ReadinessCheckFactory}s by item key. */
@Tag("fast")
class ReadinessCheckRegistryTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();

    private static Settings item(String key, Object value) {
        return Settings.of("services[0].readiness[1]", Map.of(key, value));
    }

    @Test
    void theStandardChecksAreFoundByServiceLoaderInRegistrationOrder() {
        assertThat(ReadinessChecks.standard().keys()).containsExactly("backend", "tcp", "http", "delay", "xenstore");
        assertThat(ServiceLoader.load(ReadinessCheckFactory.class).stream().map(p -> p.type().getName()))
                .containsExactly(BackendRunningCheckFactory.class.getName(), TcpCheckFactory.class.getName(),
                        HttpCheckFactory.class.getName(), DelayCheckFactory.class.getName(),
                        org.jitsu.backend.xenstore.XenstoreCheckFactory.class.getName());
    }

    @Test
    void anUnknownKeyNamesItsPathAndListsTheKnownKeys() {
        assertThatThrownBy(() -> ReadinessChecks.standard().parse(item("grpc", "127.0.0.2:80"), timer))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0].readiness[1].grpc: unknown key (expected: one of backend, tcp, http, delay, xenstore)")
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1].grpc");
    }

    @Test
    void theKnownKeysAreThoseOfTheRegisteredFactories() {
        ReadinessChecks checks = ReadinessChecks.of(List.of(new Fixed("xenstore"), new DelayCheckFactory()));
        assertThatThrownBy(() -> checks.parse(item("tcp", "127.0.0.2:80"), timer))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0].readiness[1].tcp: unknown key (expected: one of xenstore, delay)");
        assertThatThrownBy(() -> ReadinessChecks.of(List.of()).parse(item("tcp", "127.0.0.2:80"), timer))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no readiness check is registered");
    }

    @Test
    void anItemWithoutExactlyOneKeyListsTheSyntaxOfEveryKind() {
        assertThatThrownBy(() -> ReadinessChecks.standard().parse(Settings.of("services[0].readiness[1]",
                        Map.of("tcp", "127.0.0.2:80", "delay", "1s")), timer))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("(expected: a mapping with exactly one of: backend: running, tcp: ADDRESS:PORT,"
                        + " http: URL, delay: DURATION, xenstore: KEY or {key, value, timeout, on-timeout})")
                .extracting(e -> ((ConfigException) e).key()).isEqualTo("services[0].readiness[1]");
        assertThatThrownBy(() -> ReadinessChecks.of(List.of(new Fixed("xenstore")))
                        .parse(Settings.empty("services[0].readiness[1]"), timer))
                .isInstanceOf(ConfigException.class)
                .hasMessage("services[0].readiness[1]: {} (expected: a mapping with exactly one of: xenstore: VALUE)");
    }

    @Test
    void twoFactoriesForOneKeyFailAtLoad() {
        assertThatThrownBy(() -> ReadinessChecks.of(List.of(new TcpCheckFactory(), new Fixed("http"), new Fixed("tcp"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readiness check key tcp: handled by both " + TcpCheckFactory.class.getName()
                        + " and " + Fixed.class.getName() + " (expected: one factory per key)");
        assertThatThrownBy(() -> ReadinessChecks.of(List.of(new Fixed(""))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(expected: a non-empty key)");
    }

    @Test
    void anAddedFactoryIsDispatchedToByItsKeyWithTheItemAndTheTimer() {
        Fixed xenstore = new Fixed("xenstore");
        ReadinessChecks checks = ReadinessChecks.of(List.of(new TcpCheckFactory(), xenstore));
        ReadinessCheck check = checks.parse(item("xenstore", "data/ready"), timer);
        assertThat(check.describe()).isEqualTo("xenstore services[0].readiness[1] data/ready");
        assertThat(xenstore.timer).isSameAs(timer);
        StepVerifier.create(check.await(null)).expectComplete().verify(Duration.ofSeconds(5));
        // the standard kinds still parse next to it
        assertThat(checks.parse(item("tcp", "127.0.0.2:80"), timer).describe()).isEqualTo("tcp connect 127.0.0.2:80");
    }

    /** A factory for any key whose checks pass at once and describe the item they came from. */
    private static final class Fixed implements ReadinessCheckFactory {
        private final String key;
        volatile Scheduler timer;

        Fixed(String key) {
            this.key = key;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public ReadinessCheck parse(Settings item, Scheduler timer) {
            this.timer = timer;
            String text = key + " " + item.path() + " " + item.string(key);
            return new ReadinessCheck() {
                @Override
                public Mono<Void> await(org.jitsu.backend.Vm vm) {
                    return Mono.empty();
                }

                @Override
                public String describe() {
                    return text;
                }
            };
        }
    }
}
