package org.jitsu.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jitsu.backend.Backend;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.spi.BackendFactory;
import org.jitsu.server.config.BackendConfig;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.settings.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** The live backends of one server, by config name; closes them all, in reverse order. */
final class BackendSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackendSet.class);

    private final Map<String, Backend> backends;

    private BackendSet(Map<String, Backend> backends) {
        this.backends = backends;
    }

    /**
     * Creates every configured backend through the factory of its type. All get the configured state
     * directory; each keeps its files under its own name there (the process backend uses
     * {@code STATE-DIR/NAME}). If one fails, those already created are closed.
     */
    static BackendSet create(JitsuConfig config, Collection<? extends BackendFactory> factories, Scheduler timer) {
        Map<String, BackendFactory> byType = new LinkedHashMap<>();
        for (BackendFactory f : factories) {
            BackendFactory other = byType.putIfAbsent(f.type(), f);
            if (other != null) {
                throw new IllegalStateException("two backend factories for type " + f.type() + ": "
                        + other.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        Map<String, Backend> created = new LinkedHashMap<>();
        BackendSet set = new BackendSet(created);
        try {
            for (BackendConfig b : config.backends()) {
                BackendFactory factory = byType.get(b.type());
                if (factory == null) {
                    throw new ConfigException("backends." + b.name() + ".type", b.type(), byType.isEmpty()
                            ? "a backend type, but none is installed" : "one of " + new TreeSet<>(byType.keySet()));
                }
                BackendContext context = new BackendContext(config.stateDir(), timer);
                created.put(b.name(), factory.create(b.name(), b.settings(), context));
            }
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    Optional<Backend> get(String name) {
        return Optional.ofNullable(backends.get(name));
    }

    /** Completes when every backend is ready. */
    Mono<Void> ready() {
        return Flux.fromIterable(backends.values()).flatMap(Backend::ready).then();
    }

    @Override
    public void close() {
        List<Backend> reversed = new ArrayList<>(backends.values());
        java.util.Collections.reverse(reversed);
        for (Backend b : reversed) {
            try {
                b.close();
            } catch (RuntimeException e) {
                log.warn("closing backend {} failed: {}", b.name(), e.toString());
            }
        }
    }
}
