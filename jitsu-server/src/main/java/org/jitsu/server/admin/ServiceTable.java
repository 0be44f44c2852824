package org.jitsu.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The services as a plain-text table for terminals ({@code jitsu status}). */
final class ServiceTable {
    private static final String[] HEADER = {"SERVICE", "STATE", "SINCE", "LAST QUERY", "BOOTS", "FAILURES",
            "LAST BOOT", "BACKEND", "NAMES", "ADDRESSES"};

    private ServiceTable() {
    }

    static String render(List<ServiceView> services, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (ServiceView s : services) {
            rows.add(new String[] {s.id(), s.state(), ago(s.since(), now),
                    s.lastQuery().map(t -> ago(t, now)).orElse("never"), Long.toString(s.boots()),
                    Long.toString(s.failures()), s.lastBootMillis().map(ms -> ms + " ms").orElse("-"), s.backend(),
                    String.join(",", s.names()), String.join(",", s.addresses())});
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                b.append(row[i]);
                if (i < row.length - 1) {
                    b.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            b.append('\n');
        }
        if (services.isEmpty()) {
            b.append("(no services configured)\n");
        }
        return b.toString();
    }

    private static String ago(Instant t, Instant now) {
        long s = Math.max(0, Duration.between(t, now).toSeconds());
        if (s < 120) {
            return s + "s ago";
        }
        if (s < 7200) {
            return s / 60 + "m ago";
        }
        return s / 3600 + "h ago";
    }
}
