package org.jitsu.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.config.BackendConfig;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ServiceConfig;
import org.jitsu.server.config.TemplateConfig;
import org.jitsu.settings.Settings;

/**
 * What a reload may change: zones, services, {@code dns.ttl} and {@code boot.timeout} (through the
 * services). Everything bound to live resources (listeners, forwarding, backends, the state directory,
 * the admin endpoint, metrics, boot limits, the idle check) needs a restart.
 */
final class ConfigDiff {
    private ConfigDiff() {
    }

    /** Why {@code next} cannot replace {@code running} without a restart; empty when it can. */
    static Optional<String> unreloadable(JitsuConfig running, JitsuConfig next) {
        List<String> keys = new ArrayList<>();
        if (!running.listen().equals(next.listen())) {
            keys.add("listen.*");
        }
        if (!running.forward().equals(next.forward())) {
            keys.add("forward.*");
        }
        if (!running.rateLimit().equals(next.rateLimit())) {
            keys.add("rate-limit.*");
        }
        if (!running.cookies().equals(next.cookies())) {
            keys.add("cookies.*");
        }
        if (!sameBackends(running.backends(), next.backends())) {
            keys.add("backends.*");
        }
        if (!running.stateDir().equals(next.stateDir())) {
            keys.add("state-dir");
        }
        if (!running.admin().equals(next.admin())) {
            keys.add("admin.*");
        }
        if (running.metricsEnabled() != next.metricsEnabled()) {
            keys.add("metrics.enabled");
        }
        if (!running.bootLimits().equals(next.bootLimits())) {
            keys.add("boot.max-*");
        }
        if (!running.idleCheckInterval().equals(next.idleCheckInterval())) {
            keys.add("idle.check-interval");
        }
        if (!running.proxy().equals(next.proxy()) || !running.holds().equals(next.holds())) {
            keys.add("proxy.*, services[].hold (the front's listeners)");
        }
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.join(", ", keys) + " cannot"
                + " change on reload; restart");
    }

    /** Same service settings (its position in the file aside): an unchanged service keeps its runtime. */
    static boolean sameService(ServiceConfig a, ServiceConfig b) {
        return a.id().equals(b.id()) && a.names().equals(b.names()) && a.addresses().equals(b.addresses())
                && a.ttl() == b.ttl() && a.backend().equals(b.backend()) && sameSettings(a.spec(), b.spec())
                && sameSettingsList(a.readiness(), b.readiness()) && a.bootTimeout().equals(b.bootTimeout())
                && a.idleTimeout().equals(b.idleTimeout()) && a.stopMode() == b.stopMode()
                && a.stopGrace().equals(b.stopGrace()) && a.replicas().equals(b.replicas())
                && a.selection() == b.selection() && a.sites().equals(b.sites())
                && a.atOnce() == b.atOnce() && a.hold().equals(b.hold());
    }

    private static boolean sameBackends(List<BackendConfig> a, List<BackendConfig> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            BackendConfig x = a.get(i);
            BackendConfig y = b.get(i);
            if (!x.name().equals(y.name()) || !x.type().equals(y.type()) || !sameSettings(x.settings(), y.settings())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameSettingsList(List<Settings> a, List<Settings> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameSettings(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Same keys with equal raw YAML values (maps, lists, scalars). */
    static boolean sameSettings(Settings a, Settings b) {
        if (!a.keys().equals(b.keys())) {
            return false;
        }
        for (String key : a.keys()) {
            if (!Objects.equals(a.raw(key).orElse(null), b.raw(key).orElse(null))) {
                return false;
            }
        }
        return true;
    }

    /** Service id to backend name. */
    static Map<String, String> backends(JitsuConfig config) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (ServiceConfig s : config.services()) {
            out.put(s.id(), s.backend());
        }
        for (TemplateConfig t : config.templates()) {
            out.put(t.id(), t.backend()); // instances are counted under their template's id
        }
        return out;
    }
}
