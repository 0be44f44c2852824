package org.jitsu.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.jitsu.backend.Backend;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.ReplicaSettings;
import org.jitsu.server.config.TemplateConfig;
import org.jitsu.server.core.InstanceFactory;
import org.jitsu.server.core.ServiceTemplate;
import org.jitsu.server.dns.authority.NamedReplicas;
import org.jitsu.server.dns.authority.NamedTemplate;
import org.jitsu.server.dns.authority.Sites;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * Turns template configs into {@link NamedTemplate}s: an {@link InstanceFactory} per template that fills
 * the {@code ${...}} placeholders of its backend spec and readiness items with an instance's values,
 * defines the instance's VM and parses its readiness. Each template is checked once here, on a sample
 * instance, so that a spec its backend refuses is a config error at start-up, not a SERVFAIL later.
 */
final class TemplateAssembly {
    private TemplateAssembly() {
    }

    static List<NamedTemplate> define(JitsuConfig config, BackendSet backends, ReadinessParser readiness,
                                      Scheduler timer) {
        List<NamedTemplate> out = new ArrayList<>();
        for (TemplateConfig t : config.templates()) {
            out.add(define(t, backends, readiness, timer));
        }
        return List.copyOf(out);
    }

    static NamedTemplate define(TemplateConfig t, BackendSet backends, ReadinessParser readiness, Scheduler timer) {
        Backend backend = backends.get(t.backend()).orElseThrow(() -> new IllegalStateException(
                t.path() + ".backend: " + t.backend() + " was validated but not created"));
        ServiceAssembly.checkStopMode(t.path(), backend, t.stopMode());
        InstanceFactory factory = (instanceId, values) -> {
            Vm vm = backend.define(instanceId, fill(t.spec(), values));
            List<ReadinessCheck> checks = new ArrayList<>();
            for (Settings item : t.readiness()) {
                checks.add(readiness.parse(fill(item, values), timer));
            }
            return new InstanceFactory.Parts(vm, checks);
        };
        check(t, backend, factory);
        ServiceTemplate template = new ServiceTemplate(t.id(), t.pattern().captureNames(), t.addresses(), factory,
                t.bootTimeout(), t.idleTimeout(), t.stopMode(), t.stopGrace(), t.forgetAfter(), t.budget(), t.source(),
                t.replicas().map(ReplicaSettings::policy));
        return new NamedTemplate(template, t.pattern(), t.ttl(), t.refuseWithRefused(),
                t.replicas().map(ReplicaSettings::selection).orElse(NamedReplicas.Selection.ROUND_ROBIN),
                t.replicas().map(ReplicaSettings::sites).orElse(Sites.NONE));
    }

    /** Defines and releases a sample instance, so that the backend checks the spec (with its key paths). */
    private static void check(TemplateConfig t, Backend backend, InstanceFactory factory) {
        Map<String, String> captures = new HashMap<>();
        for (String capture : t.pattern().captureNames()) {
            captures.put(capture, capture);
        }
        String instanceId = t.id() + "." + String.join(".", t.pattern().captureNames());
        InstanceFactory.Parts parts = factory.create(instanceId, InstanceFactory.values(captures, instanceId,
                t.replicas().isPresent() ? 1 : 0, t.addresses().sample()));
        backend.release(parts.vm());
    }

    /** {@code s} with every {@code ${name}} in its strings replaced by {@code values.get(name)}. */
    static Settings fill(Settings s, Map<String, String> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : s.keys()) {
            out.put(key, fill(s.raw(key).orElse(null), values, s.keyPath(key)));
        }
        return Settings.of(s.path(), out);
    }

    private static Object fill(Object v, Map<String, String> values, String path) {
        if (v instanceof String text) {
            Matcher m = TemplateConfig.PLACEHOLDER.matcher(text);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                if (value == null) {
                    throw new ConfigException(path, text, "a placeholder with a value for this instance: ${"
                            + m.group(1) + "} has none");
                }
                m.appendReplacement(b, Matcher.quoteReplacement(value));
            }
            m.appendTail(b);
            return b.toString();
        }
        if (v instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(e.getKey(), fill(e.getValue(), values, path + "." + e.getKey()));
            }
            return out;
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(fill(list.get(i), values, path + "[" + i + "]"));
            }
            return out;
        }
        return v;
    }
}
