package org.jitsu.server.dns.authority;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names of a template: labels that are literal, or a capture ({@code {page}}; {@code *} is a
 * capture named {@code label}), matched one label each. {@code {page}.pages.example.test} matches
 * {@code a.pages.example.test} with {@code page = a}, and nothing deeper or shallower. A captured
 * label must pass its {@link Rule}; a name that does not is no instance (NXDOMAIN).
 */
public final class NamePattern {
    /** A host label as RFC 1123 allows it, lower case (names are canonical): the default rule. */
    public static final Pattern HOST_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private final String text;
    /** Per label, from the left: the literal, or null for a capture. */
    private final String[] literals;
    /** Per label: the capture's index in {@link #captures}, or -1 for a literal. */
    private final int[] captureAt;
    private final List<Rule> captures;
    private final DomainName suffix;

    /**
     * What a captured label may be: it matches {@code regex} (whole label, after case folding), is at
     * most {@code maxLength} octets, and is none of {@code reserved}.
     */
    public record Rule(String name, Pattern regex, int maxLength, Set<String> reserved) {
        public Rule {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(regex, "regex");
            if (maxLength < 1 || maxLength > 63) {
                throw new IllegalArgumentException("capture " + name + ": max length " + maxLength + " (expected: 1-63)");
            }
            reserved = Set.copyOf(reserved);
        }

        /** The default rule: a host label of up to 63 octets, nothing reserved. */
        public static Rule host(String name) {
            return new Rule(name, HOST_LABEL, 63, Set.of());
        }

        boolean allows(String label) {
            return label.length() <= maxLength && !reserved.contains(label) && regex.matcher(label).matches();
        }
    }

    private NamePattern(String text, String[] literals, int[] captureAt, List<Rule> captures, DomainName suffix) {
        this.text = text;
        this.literals = literals;
        this.captureAt = captureAt;
        this.captures = List.copyOf(captures);
        this.suffix = suffix;
    }

    /**
     * Parses a pattern; {@code rules} gives the rule of a capture by name (a capture without one gets
     * {@link Rule#host}).
     *
     * @throws IllegalArgumentException naming the problem: no capture, a capture used twice, a label
     *     that mixes text and a capture, an empty label, a rule for a capture the pattern does not have
     */
    public static NamePattern parse(String pattern, List<Rule> rules) {
        String p = pattern.endsWith(".") ? pattern.substring(0, pattern.length() - 1) : pattern;
        String[] labels = p.split("\\.", -1);
        String[] literals = new String[labels.length];
        int[] captureAt = new int[labels.length];
        List<Rule> captures = new ArrayList<>();
        int lastCapture = -1;
        for (int i = 0; i < labels.length; i++) {
            String l = labels[i];
            if (l.isEmpty()) {
                throw new IllegalArgumentException("an empty label in " + pattern);
            }
            String name = l.equals("*") ? "label" : l.startsWith("{") && l.endsWith("}") ? l.substring(1, l.length() - 1) : null;
            if (name == null) {
                if (l.contains("{") || l.contains("}") || l.contains("*")) {
                    throw new IllegalArgumentException("label " + l + " of " + pattern
                            + " mixes text and a capture (a capture is a whole label: {name} or *)");
                }
                literals[i] = DomainName.of(l).text();
                captureAt[i] = -1;
                continue;
            }
            if (!name.matches("[a-z][a-z0-9_]{0,30}")) {
                throw new IllegalArgumentException("capture {" + name + "} of " + pattern
                        + ": a name of lower-case letters, digits and _ (starting with a letter)");
            }
            for (Rule r : captures) {
                if (r.name().equals(name)) {
                    throw new IllegalArgumentException("capture {" + name + "} appears twice in " + pattern);
                }
            }
            captureAt[i] = captures.size();
            captures.add(rules.stream().filter(r -> r.name().equals(name)).findFirst().orElse(Rule.host(name)));
            lastCapture = i;
        }
        if (captures.isEmpty()) {
            throw new IllegalArgumentException(pattern + " captures nothing (expected: a label {name} or *)");
        }
        for (Rule r : rules) {
            if (captures.stream().noneMatch(c -> c.name().equals(r.name()))) {
                throw new IllegalArgumentException("a rule for {" + r.name() + "}, which " + pattern + " does not capture");
            }
        }
        if (lastCapture == labels.length - 1) {
            throw new IllegalArgumentException(pattern + " ends in a capture (expected: a name inside a zone)");
        }
        DomainName suffix = DomainName.of(String.join(".", List.of(labels).subList(lastCapture + 1, labels.length)));
        return new NamePattern(p.toLowerCase(Locale.ROOT), literals, captureAt, captures, suffix);
    }

    /** The literal name below the last capture: where the walk up from an unknown name looks for templates. */
    public DomainName suffix() {
        return suffix;
    }

    /** The capture names, in order. */
    public List<String> captureNames() {
        return captures.stream().map(Rule::name).toList();
    }

    /** The captured labels of {@code name}, in capture order; empty when it is not one of this pattern's names. */
    public Optional<List<String>> match(DomainName name) {
        if (name.labelCount() != literals.length) {
            return Optional.empty();
        }
        String t = name.text();
        String[] values = new String[captures.size()];
        int start = 0;
        for (int i = 0; i < literals.length; i++) {
            int dot = t.indexOf('.', start);
            int end = dot < 0 ? t.length() : dot;
            if (captureAt[i] < 0) {
                if (!t.regionMatches(start, literals[i], 0, end - start) || literals[i].length() != end - start) {
                    return Optional.empty();
                }
            } else {
                String label = t.substring(start, end);
                if (!captures.get(captureAt[i]).allows(label)) {
                    return Optional.empty();
                }
                values[captureAt[i]] = label;
            }
            start = end + 1;
        }
        return Optional.of(List.of(values));
    }

    /** The name with these captured labels (in capture order). */
    public DomainName fill(List<String> values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(captureAt[i] < 0 ? literals[i] : values.get(captureAt[i]));
        }
        return DomainName.of(b.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamePattern other && other.text.equals(text) && other.captures.toString().equals(captures.toString());
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
