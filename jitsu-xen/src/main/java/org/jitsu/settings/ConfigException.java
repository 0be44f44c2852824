package org.jitsu.settings;

/**
 * A config value is invalid. The message always names the key (as a path such as
 * {@code services[0].readiness.timeout}), the value found and what was expected:
 * {@code "services[0].readiness.timeout: -1s (expected: a positive duration such as 500ms or 10s)"}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, Object value, String expected) {
        super(key + ": " + render(value) + " (expected: " + expected + ")");
        this.key = key;
    }

    /** The full path of the offending key. */
    public String key() {
        return key;
    }

    private static String render(Object value) {
        if (value == null) {
            return "missing";
        }
        String s = String.valueOf(value);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
