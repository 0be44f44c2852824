package org.jitsu.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A small JSON writer for the admin API's few shapes: strings are escaped per RFC 8259. */
final class Json {
    private Json() {
    }

    static String services(List<ServiceView> services) {
        StringBuilder b = new StringBuilder("{\"services\":[");
        for (int i = 0; i < services.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            service(b, services.get(i));
        }
        return b.append("]}\n").toString();
    }

    static String action(AdminOperations.ActionResult result) {
        StringBuilder b = new StringBuilder("{\"service\":");
        service(b, result.service());
        b.append(",\"error\":");
        optionalString(b, result.failure());
        return b.append("}\n").toString();
    }

    static String reload(AdminOperations.ReloadOutcome outcome) {
        StringBuilder b = new StringBuilder("{\"applied\":").append(outcome.applied()).append(",\"message\":");
        string(b, outcome.message());
        return b.append("}\n").toString();
    }

    static String registration(AdminOperations.Registration r) {
        StringBuilder b = new StringBuilder("{\"applied\":").append(r.outcome() == AdminOperations.Registration.Outcome.APPLIED)
                .append(",\"message\":");
        string(b, r.message());
        return b.append("}\n").toString();
    }

    static String error(String message) {
        StringBuilder b = new StringBuilder("{\"error\":");
        string(b, message);
        return b.append("}\n").toString();
    }

    static String status(String status) {
        StringBuilder b = new StringBuilder("{\"status\":");
        string(b, status);
        return b.append("}\n").toString();
    }

    private static void service(StringBuilder b, ServiceView s) {
        b.append("{\"id\":");
        string(b, s.id());
        b.append(",\"names\":");
        strings(b, s.names());
        b.append(",\"addresses\":");
        strings(b, s.addresses());
        b.append(",\"backend\":");
        string(b, s.backend());
        b.append(",\"state\":");
        string(b, s.state());
        b.append(",\"since\":");
        instant(b, Optional.of(s.since()));
        b.append(",\"lastQuery\":");
        instant(b, s.lastQuery());
        b.append(",\"boots\":").append(s.boots());
        b.append(",\"failures\":").append(s.failures());
        b.append(",\"lastBootMillis\":").append(s.lastBootMillis().map(String::valueOf).orElse("null"));
        b.append('}');
    }

    private static void instant(StringBuilder b, Optional<Instant> t) {
        optionalString(b, t.map(Instant::toString));
    }

    private static void optionalString(StringBuilder b, Optional<String> s) {
        if (s.isPresent()) {
            string(b, s.get());
        } else {
            b.append("null");
        }
    }

    private static void strings(StringBuilder b, List<String> values) {
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, values.get(i));
        }
        b.append(']');
    }

    static void string(StringBuilder b, String s) {
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
