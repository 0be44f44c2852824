package org.jitsu.backend.libvirt;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.JsonText;
import org.jitsu.settings.Settings;

/**
 * A service's {@code libvirt.xenstore:} section: keys (relative to the domain's home
 * {@code /local/domain/DOMID/}) and the values written there while the domain is created paused,
 * in one transaction, before it is unpaused: what Rumprun reads its configuration from
 * ({@code rumprun/cfg}, a JSON document) and what any unikernel can read at boot. A value is a string
 * (written as it is) or {@code {json: ANY}} (written as compact JSON). Template placeholders are
 * filled in before this is parsed, like the rest of the service's section.
 *
 * @param entries key to value, in the config's order
 */
record GuestConfig(Map<String, String> entries) {
    static final GuestConfig NONE = new GuestConfig(Map.of());

    GuestConfig {
        entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Parses {@code spec.xenstore}, absent: {@link #NONE}. */
    static GuestConfig parse(Settings spec) {
        if (!spec.has("xenstore")) {
            return NONE;
        }
        Object raw = spec.raw("xenstore").orElse(null);
        if (!(raw instanceof Map<?, ?> map) || map.isEmpty()) {
            throw new ConfigException(spec.keyPath("xenstore"), raw, "a mapping of Xenstore keys to values");
        }
        Settings s = spec.child("xenstore");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            String keyPath = s.keyPath(key);
            if (key.startsWith("/") || key.isEmpty() || key.contains("//") || key.endsWith("/")
                    || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new ConfigException(keyPath, key, "a key below the domain's home: printable ASCII, relative, no empty component");
            }
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                if (m.size() != 1 || !m.containsKey("json")) {
                    throw new ConfigException(keyPath, v, "a string, or {json: VALUE}");
                }
                out.put(key, JsonText.of(m.get("json")));
            } else if (v instanceof List<?> || v == null) {
                throw new ConfigException(keyPath, v, "a string, or {json: VALUE}");
            } else {
                out.put(key, String.valueOf(v));
            }
        }
        return new GuestConfig(out);
    }
}
