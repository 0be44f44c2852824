package org.jitsu.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.Backend;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/**
 * Backends of type {@code fake} from the test kit, a factory that records what the assembly asks of it, and a config that
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

    /**
     * Creates {@link ScriptedBackend}s of its type whose {@code define} accepts only {@code command},
     * and remembers them with the settings and context each was created with.
     */
    public static final class FakeFactory implements BackendFactory {
        public final String type;
        public final List<ScriptedBackend> created = new CopyOnWriteArrayList<>();
        public final Map<String, Settings> settings = new ConcurrentHashMap<>();
        public final Map<String, BackendContext> contexts = new ConcurrentHashMap<>();
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
            ScriptedBackend b = ScriptedBackend.of(name, type).checkSpecs(spec -> {
                spec.allowOnly("command");
                if (spec.has("command")) {
                    spec.string("command");
                }
            });
            b.failReady(readyError);
            this.settings.put(name, settings);
            contexts.put(name, context);
            created.add(b);
            return b;
        }
    }
}
