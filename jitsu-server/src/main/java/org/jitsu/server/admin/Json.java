package org.jitsu.server.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jitsu.settings.JsonText;

/** The admin API's few shapes as JSON; strings through the settings library's {@link JsonText}. */
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
        JsonText.value(b, s.names());
        b.append(",\"addresses\":");
        JsonText.value(b, s.addresses());
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

    static void string(StringBuilder b, String s) {
        JsonText.string(b, s);
    }
}
