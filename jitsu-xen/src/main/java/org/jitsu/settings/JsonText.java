package org.jitsu.settings;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * JSON text, written compactly: a string escaped per RFC 8259, or a whole value of what a parsed YAML
 * document holds (maps, lists, strings, numbers, booleans, null). The one JSON writer of the project:
 * the admin API's answers and a domain's Xenstore configuration both use it.
 */
public final class JsonText {
    private JsonText() {
    }

    /** The JSON text of {@code value}. */
    public static String of(Object value) {
        StringBuilder b = new StringBuilder();
        value(b, value);
        return b.toString();
    }

    /** Appends {@code value}: maps as objects (their keys as strings), lists as arrays, anything else as a string. */
    public static void value(StringBuilder b, Object value) {
        if (value == null) {
            b.append("null");
        } else if (value instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                value(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                value(b, l.get(i));
            }
            b.append(']');
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof BigInteger) {
            b.append(value);
        } else if (value instanceof Double d && !d.isNaN() && !d.isInfinite()) {
            b.append(value);
        } else {
            string(b, String.valueOf(value));
        }
    }

    /** Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped. */
    public static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
