package org.jitsu.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Fake backends that record what the assembly asks of them (state per instance), and a config that
 * uses them: for the tests of the assembly ({@code JitsuServerTest}, {@code HealthReadyTest}) and of
 * the command line ({@code cli.MainTest}, {@code cli.CommandLineTest}).
 */
public final class FakeBackends {
    /** Two backends of type {@code fake} ({@code one} with a setting) and a service on each. */
    public static final String CONFIG = String.join("\n",
            "zones: [{name: example.test, nameservers: [ns1.example.test]}]",
            "state-dir: /tmp/jitsu-test-state",
            "admin: {address: \"127.0.0.1:0\"}",
            "backends:",
            "  one: {type: fake, flavour: plain}",
            "  two: {type: fake}",
            "services:",
            "  - id: a",
            "    names: [a.example.test]",
            "    addresses: [127.0.0.2]",
            "    backend: one",
            "    fake: {command: run-a}",
            "    readiness: [{delay: 1ms}, {http: \"http://127.0.0.2/\"}]",
            "  - id: b",
            "    names: [b.example.test]",
            "    addresses: [127.0.0.3]",
            "    backend: two",
            "");

    private FakeBackends() {
    }

    /** Creates {@link FakeBackend}s and remembers them. */
    public static final class FakeFactory implements BackendFactory {
        public final String type;
        public final List<FakeBackend> created = new CopyOnWriteArrayList<>();
        public volatile RuntimeException readyError;

        public FakeFactory(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Backend create(String name, Settings settings, BackendContext context) {
            settings.allowOnly("flavour");
            String flavour = settings.string("flavour", "plain");
            if (!flavour.equals("plain")) {
                throw new ConfigException(settings.keyPath("flavour"), flavour, "plain");
            }
            FakeBackend b = new FakeBackend(name, type, settings, context, readyError);
            created.add(b);
            return b;
        }
    }

    /** Records what the assembly asked of it. */
    public static final class FakeBackend implements Backend {
        public final String name;
        public final String type;
        public final Settings settings;
        public final BackendContext context;
        public volatile RuntimeException readyError; // may change later: the admin API's readiness checks it again
        public final Map<String, Settings> defined = new ConcurrentHashMap<>();
        public volatile boolean closed;
        public volatile int readyCalls;

        FakeBackend(String name, String type, Settings settings, BackendContext context, RuntimeException readyError) {
            this.name = name;
            this.type = type;
            this.settings = settings;
            this.context = context;
            this.readyError = readyError;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public Vm define(String serviceId, Settings spec) {
            spec.allowOnly("command");
            if (spec.has("command")) {
                spec.string("command");
            }
            defined.put(serviceId, spec);
            FakeBackend self = this;
            return new Vm() {
                @Override
                public String id() {
                    return serviceId;
                }

                @Override
                public Backend backend() {
                    return self;
                }

                @Override
                public Mono<VmState> state() {
                    return Mono.just(VmState.STOPPED);
                }

                @Override
                public Mono<Void> start() {
                    return Mono.empty();
                }

                @Override
                public Mono<Void> stop(StopMode mode, Duration grace) {
                    return Mono.empty();
                }
            };
        }

        @Override
        public Flux<VmEvent> events() {
            return Flux.never();
        }

        @Override
        public Mono<Void> ready() {
            readyCalls++;
            return readyError == null ? Mono.empty() : Mono.error(readyError);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
