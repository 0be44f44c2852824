package org.jitsu.server.dns.authority;

import java.util.Locale;
import java.util.Objects;

/**
 * A domain name in canonical form: lower case (ASCII only, as DNS compares names), no trailing dot;
 * the root is the empty name. Labels are 1–63 octets, the whole name at most 255 octets on the wire.
 */
public final class DomainName implements Comparable<DomainName> {
    /** The root name. */
    public static final DomainName ROOT = new DomainName("");

    private final String text;

    private DomainName(String text) {
        this.text = text;
    }

    /**
     * Parses a name as written in a config file or on the command line ({@code www.example.test},
     * with or without a trailing dot). Letter case is folded.
     *
     * @throws IllegalArgumentException when a label is empty or too long, or the name is too long
     */
    public static DomainName of(String name) {
        Objects.requireNonNull(name, "name");
        String s = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (s.isEmpty()) {
            return ROOT;
        }
        int wire = 1;
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? s.length() : dot;
            int len = end - start;
            if (len == 0) {
                throw new IllegalArgumentException("empty label in \"" + name + "\"");
            }
            if (len > 63) {
                throw new IllegalArgumentException("label longer than 63 octets in \"" + name + "\"");
            }
            for (int i = start; i < end; i++) {
                char c = s.charAt(i);
                if (c > 0x7e || c < 0x21) {
                    throw new IllegalArgumentException("character " + (int) c + " not allowed in \"" + name + "\"");
                }
            }
            wire += len + 1;
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        if (wire > 255) {
            throw new IllegalArgumentException("name longer than 255 octets: \"" + name + "\"");
        }
        return new DomainName(s.toLowerCase(Locale.ROOT));
    }

    /**
     * Wraps a name that is already canonical (lower case, valid labels, no trailing dot): for the
     * wire decoder, which has checked all of that while reading.
     */
    public static DomainName ofCanonical(String canonical) {
        return canonical.isEmpty() ? ROOT : new DomainName(canonical);
    }

    /** The name without trailing dot; {@code ""} for the root. */
    public String text() {
        return text;
    }

    public boolean isRoot() {
        return text.isEmpty();
    }

    /** Number of labels; 0 for the root. */
    public int labelCount() {
        if (text.isEmpty()) {
            return 0;
        }
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '.') {
                n++;
            }
        }
        return n;
    }

    /** The name with its first label removed; the root's parent is the root. */
    public DomainName parent() {
        int dot = text.indexOf('.');
        return dot < 0 ? ROOT : new DomainName(text.substring(dot + 1));
    }

    /** True when this name equals {@code other} or lies below it. */
    public boolean isSubdomainOf(DomainName other) {
        if (other.text.isEmpty() || text.equals(other.text)) {
            return true;
        }
        return text.length() > other.text.length()
                && text.endsWith(other.text)
                && text.charAt(text.length() - other.text.length() - 1) == '.';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DomainName && ((DomainName) o).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public int compareTo(DomainName o) {
        return text.compareTo(o.text);
    }

    /** The name with a trailing dot, as in zone files: {@code www.example.test.}; the root is {@code .}. */
    @Override
    public String toString() {
        return text + ".";
    }
}
