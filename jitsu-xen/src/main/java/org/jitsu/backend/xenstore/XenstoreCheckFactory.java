package org.jitsu.backend.xenstore;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code xenstore: KEY}, or {@code xenstore: {key: KEY, value: V, timeout: D, on-timeout: fail|answer}}:
 * the guest wrote KEY in Xenstore (relative to its domain's home {@code /local/domain/DOMID/}, or an
 * absolute path), with the value V when one is given. Waits on a watch ({@link XenstoreWatcher}), never
 * by polling. Without {@code timeout} the boot timeout bounds the wait. With one, what happens when it
 * passes is {@code on-timeout}: {@code fail} (the default: the boot fails, naming the key) or
 * {@code answer} (the check passes anyway, with a warning: what the original Jitsu did after 2 s, for
 * unikernels that never write the key).
 */
public final class XenstoreCheckFactory implements ReadinessCheckFactory {
    private static final Logger LOG = LoggerFactory.getLogger(XenstoreCheckFactory.class);

    /** What a timed-out wait does. */
    public enum OnTimeout { FAIL, ANSWER }

    /** For {@link java.util.ServiceLoader}. */
    public XenstoreCheckFactory() {
    }

    @Override
    public String key() {
        return "xenstore";
    }

    @Override
    public String syntax() {
        return "xenstore: KEY or {key, value, timeout, on-timeout}";
    }

    @Override
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        String path = item.keyPath(key());
        String keyName;
        Optional<String> value = Optional.empty();
        Optional<Duration> timeout = Optional.empty();
        OnTimeout onTimeout = OnTimeout.FAIL;
        if (item.raw(key()).orElse(null) instanceof java.util.Map) {
            Settings s = item.child(key());
            s.allowOnly("key", "value", "timeout", "on-timeout");
            keyName = s.string("key");
            value = s.optString("value");
            if (s.has("timeout")) {
                timeout = Optional.of(s.positiveDuration("timeout", Duration.ofSeconds(2)));
            }
            onTimeout = s.enumValue("on-timeout", OnTimeout.class, OnTimeout.FAIL);
            if (onTimeout == OnTimeout.ANSWER && timeout.isEmpty()) {
                throw new ConfigException(s.keyPath("on-timeout"), "answer", "a timeout to answer after (timeout: 2s)");
            }
            path = s.keyPath("key");
        } else {
            keyName = item.string(key());
        }
        if (keyName.contains("//") || keyName.endsWith("/") || keyName.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new ConfigException(path, keyName, "a Xenstore path: printable ASCII, no empty component, no trailing /");
        }
        return new XenstoreCheck(keyName, value, timeout, onTimeout, timer, XenstoreWatcher::shared);
    }

    /** The check; the watcher is found when it runs, so a config is checked without libxenstore. */
    static final class XenstoreCheck implements ReadinessCheck {
        private final String key;
        private final Optional<String> value;
        private final Optional<Duration> timeout;
        private final OnTimeout onTimeout;
        private final Scheduler timer;
        private final java.util.function.Supplier<XenstoreWatcher> watcher;

        XenstoreCheck(String key, Optional<String> value, Optional<Duration> timeout, OnTimeout onTimeout,
                      Scheduler timer, java.util.function.Supplier<XenstoreWatcher> watcher) {
            this.key = key;
            this.value = value;
            this.timeout = timeout;
            this.onTimeout = onTimeout;
            this.timer = timer;
            this.watcher = watcher;
        }

        /** The key's path for the domain {@code domid}. */
        String pathFor(int domid) {
            return key.startsWith("/") ? key : "/local/domain/" + domid + "/" + key;
        }

        @Override
        public Mono<Void> await(Vm vm) {
            return vm.domainId().flatMap(id -> {
                if (id.isEmpty()) {
                    return Mono.error(new BackendException(vm.id(), "no-domain-id", "xenstore readiness: "
                            + vm.id() + " has no Xen domain id (backend " + vm.backend().name() + ")"));
                }
                String path = pathFor(id.get());
                Mono<String> wait = watcher.get().awaitValue(path, v -> value.isEmpty() || value.get().equals(v));
                if (timeout.isEmpty()) {
                    return wait.then();
                }
                return wait.timeout(timeout.get(), timer).then().onErrorResume(TimeoutException.class, e -> {
                    if (onTimeout == OnTimeout.ANSWER) {
                        LOG.warn("{}: {} not written within {} ms; answering anyway (on-timeout: answer)",
                                vm.id(), path, timeout.get().toMillis());
                        return Mono.empty();
                    }
                    return Mono.error(new BackendException(vm.id(), "not-ready", path + " not written"
                            + value.map(v -> " with " + v).orElse("") + " within " + timeout.get().toMillis() + " ms"));
                });
            });
        }

        @Override
        public String describe() {
            return "xenstore " + key + value.map(v -> " = " + v).orElse("")
                    + timeout.map(t -> " within " + t.toMillis() + " ms, then " + onTimeout.name().toLowerCase(java.util.Locale.ROOT)).orElse("");
        }
    }
}
