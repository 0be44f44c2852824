package org.jitsu.settings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only view of one mapping of a parsed config file (YAML), which knows its own path so that
 * every error names the full key. Accessors validate and convert; nothing is silently clamped or
 * defaulted beyond the default the caller passes.
 *
 * <pre>{@code
 * Settings s = root.child("boot");
 * s.allowOnly("max-concurrent", "max-queued");
 * int max = s.integer("max-concurrent", 8, 1, 10_000);
 * }</pre>
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(B|KiB|MiB|GiB)?");

    private final String path;
    private final Map<String, Object> values;

    private Settings(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    /**
     * Wraps a parsed mapping.
     *
     * @param path the path of this mapping ("" for the document root)
     * @param values the mapping; keys must be strings
     */
    public static Settings of(String path, Map<?, ?> values) {
        if (values.size() == 1) {
            // the common one-key section ({template: ...}, {backend: running}): an immutable one-entry
            // map instead of a linked hash map and its wrapper, about 200 bytes less per service
            Map.Entry<?, ?> e = values.entrySet().iterator().next();
            if (e.getKey() instanceof String && e.getValue() != null) {
                return new Settings(path, Map.of((String) e.getKey(), e.getValue()));
            }
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : values.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new ConfigException(join(path, String.valueOf(e.getKey())), e.getKey(), "a string key");
            }
            copy.put((String) e.getKey(), e.getValue());
        }
        return new Settings(path, Collections.unmodifiableMap(copy));
    }

    /** An empty mapping at {@code path}. */
    public static Settings empty(String path) {
        return new Settings(path, Map.of());
    }

    /** The path of this mapping, e.g. {@code services[0].process}. */
    public String path() {
        return path;
    }

    /** The full path of {@code key} in this mapping. */
    public String keyPath(String key) {
        return join(path, key);
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    /** The raw value, for callers that accept several shapes. */
    public Optional<Object> raw(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Fails on the first key not in {@code allowed}: unknown keys are errors, never ignored. */
    public Settings allowOnly(String... allowed) {
        for (String key : values.keySet()) {
            if (!contains(allowed, key)) { // a few keys: a scan, and no set built per call
                Set<String> ok = new LinkedHashSet<>(List.of(allowed));
                throw new ConfigException(keyPath(key), "unknown key", "one of " + String.join(", ", ok));
            }
        }
        return this;
    }

    private static boolean contains(String[] keys, String key) {
        for (String k : keys) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    // ---- nested structures

    /** The nested mapping at {@code key}, or an empty one when absent. */
    public Settings child(String key) {
        Object v = values.get(key);
        if (v == null) {
            return empty(keyPath(key));
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(keyPath(key), v, "a mapping");
        }
        return of(keyPath(key), (Map<?, ?>) v);
    }

    /** The list of mappings at {@code key} (empty when absent), each with its indexed path. */
    public List<Settings> children(String key) {
        List<Settings> out = new ArrayList<>();
        List<?> list = list(key);
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            String p = keyPath(key) + "[" + i + "]";
            if (!(item instanceof Map)) {
                throw new ConfigException(p, item, "a mapping");
            }
            out.add(of(p, (Map<?, ?>) item));
        }
        return out;
    }

    /** The value at {@code key} as a list; a single scalar counts as a list of one; absent is empty. */
    public List<?> list(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List) {
            return (List<?>) v;
        }
        if (v instanceof Map) {
            throw new ConfigException(keyPath(key), v, "a list");
        }
        return List.of(v);
    }

    // ---- scalars

    public String string(String key) {
        return optString(key).orElseThrow(() -> new ConfigException(keyPath(key), null, "a string"));
    }

    public String string(String key, String defaultValue) {
        return optString(key).orElse(defaultValue);
    }

    public Optional<String> optString(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(keyPath(key), v, "a string");
        }
        String s = String.valueOf(v);
        if (s.isBlank()) {
            throw new ConfigException(keyPath(key), "\"" + s + "\"", "a non-empty string");
        }
        return Optional.of(s);
    }

    /** A list of non-empty strings (a single string counts as a list of one). */
    public List<String> strings(String key) {
        List<?> list = list(key);
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item == null || item instanceof Map || item instanceof List || String.valueOf(item).isEmpty()) {
                throw new ConfigException(keyPath(key) + "[" + i + "]", item, "a non-empty string");
            }
            out.add(String.valueOf(item));
        }
        return List.copyOf(out);
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        throw new ConfigException(keyPath(key), v, "true or false");
    }

    /** An integer within {@code [min, max]}. */
    public long integer(String key, long defaultValue, long min, long max) {
        Object v = values.get(key);
        long n;
        if (v == null) {
            n = defaultValue;
        } else if (v instanceof Integer || v instanceof Long) {
            n = ((Number) v).longValue();
        } else {
            throw new ConfigException(keyPath(key), v, "an integer from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw new ConfigException(keyPath(key), n, "an integer from " + min + " to " + max);
        }
        return n;
    }

    /** A required integer within {@code [min, max]}. */
    public long integer(String key, long min, long max) {
        if (!has(key)) {
            throw new ConfigException(keyPath(key), null, "an integer from " + min + " to " + max);
        }
        return integer(key, 0, min, max);
    }

    /** One of the given lower-case words. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        Optional<String> s = optString(key);
        if (s.isEmpty()) {
            return defaultValue;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
            names.add(name);
            if (name.equals(s.get())) {
                return e;
            }
        }
        throw new ConfigException(keyPath(key), s.get(), "one of " + String.join(", ", names));
    }

    /** A duration with a unit ({@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1d}). */
    public Duration duration(String key, Duration defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        return parseDuration(keyPath(key), v);
    }

    /** A duration strictly greater than zero. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = duration(key, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw new ConfigException(keyPath(key), values.get(key), "a duration greater than 0, such as 500ms or 10s");
        }
        return d;
    }

    /** Parses a duration with a unit; {@code key} is only used in the error. */
    public static Duration parseDuration(String key, Object v) {
        Matcher m = DURATION.matcher(String.valueOf(v).trim());
        if (!(v instanceof String) || !m.matches()) {
            throw new ConfigException(key, v, "a duration with a unit: ms, s, m, h or d, such as 500ms or 10s");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofDays(n);
        }
    }

    /** A byte size: a plain integer, or with a unit {@code B}, {@code KiB}, {@code MiB}, {@code GiB}. */
    public long size(String key, long defaultValue, long min, long max) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        String expected = "a size from " + min + " to " + max + " bytes, such as 4MiB";
        Matcher m = SIZE.matcher(String.valueOf(v).trim());
        if (!m.matches()) {
            throw new ConfigException(keyPath(key), v, expected);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        long mult = switch (unit) {
            case "KiB" -> 1024L;
            case "MiB" -> 1024L * 1024;
            case "GiB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        long bytes = n * mult;
        if (bytes < min || bytes > max) {
            throw new ConfigException(keyPath(key), v, expected);
        }
        return bytes;
    }

    // ---- addresses (literals only: nothing is ever looked up)

    public InetAddress address(String key) {
        return parseAddress(keyPath(key), string(key));
    }

    /** A list of IP literals (a single one counts as a list of one). */
    public List<InetAddress> addresses(String key) {
        List<String> items = strings(key);
        List<InetAddress> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(parseAddress(keyPath(key) + "[" + i + "]", items.get(i)));
        }
        return List.copyOf(out);
    }

    /** An IP literal and port, {@code 127.0.0.1:53} or {@code [::1]:53}; the port may be defaulted. */
    public static InetSocketAddress parseSocketAddress(String key, String text, int defaultPort) {
        String expected = "an IP address and port such as 127.0.0.1:53 or [::1]:53";
        String host = text;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new ConfigException(key, text, expected);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new ConfigException(key, text, expected);
                }
                port = parsePort(key, rest.substring(1), text, expected);
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            int colon = text.indexOf(':');
            host = text.substring(0, colon);
            port = parsePort(key, text.substring(colon + 1), text, expected);
        }
        if (port < 0) {
            throw new ConfigException(key, text, expected);
        }
        InetAddress a = IpLiteral.parse(host).orElseThrow(() -> new ConfigException(key, text, expected));
        return new InetSocketAddress(a, port);
    }

    private static int parsePort(String key, String s, String text, String expected) {
        try {
            int p = Integer.parseInt(s);
            if (p < 1 || p > 65535) {
                throw new ConfigException(key, text, expected);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, expected);
        }
    }

    public static InetAddress parseAddress(String key, String text) {
        return IpLiteral.parse(text).orElseThrow(() -> new ConfigException(key, text,
                "an IPv4 or IPv6 address literal such as 127.0.0.2 or ::1 (host names are not looked up)"));
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    @Override
    public String toString() {
        return "Settings[" + path + "]" + values;
    }
}
