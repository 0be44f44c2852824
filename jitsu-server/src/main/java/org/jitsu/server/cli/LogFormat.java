package org.jitsu.server.cli;

import java.util.List;
import java.util.Optional;

/**
 * The log format that {@code logback.xml} chooses: the system property {@value #PROPERTY}, else the
 * environment variable {@value #ENVIRONMENT}, else {@code plain}. Logback itself makes the choice (its
 * conditional compares the value with {@code json}); what it cannot do is say that a value it does not
 * know, a typo such as {@code jsno}, fell back to plain text. This class reads the same two places in
 * the same order so that the command line can say so once, at start.
 */
final class LogFormat {
    static final String PROPERTY = "jitsu.log.format";
    static final String ENVIRONMENT = "JITSU_LOG_FORMAT";
    static final List<String> KNOWN = List.of("plain", "json");

    private LogFormat() {
    }

    /** The warning for this process's setting, empty when it is unset or known. */
    static Optional<String> warning() {
        return warning(System.getProperty(PROPERTY), System.getenv(ENVIRONMENT));
    }

    /**
     * The warning for a setting {@code logback.xml} does not know (it logs plain text then), empty when
     * the setting is unset or one of {@link #KNOWN}. {@code property} wins over {@code environment}, as in
     * {@code logback.xml}; either may be null.
     */
    static Optional<String> warning(String property, String environment) {
        String value = property != null ? property : environment;
        if (value == null || KNOWN.contains(value)) {
            return Optional.empty();
        }
        String source = property != null ? "-D" + PROPERTY : ENVIRONMENT;
        return Optional.of("unknown log format \"" + value + "\" (" + source + "; expected one of " + KNOWN
                + "): logging plain text");
    }
}
