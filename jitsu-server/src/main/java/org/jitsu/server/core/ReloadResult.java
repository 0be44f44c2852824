package org.jitsu.server.core;

import java.util.List;

/**
 * What a reload of the core did, by service id.
 *
 * @param kept unchanged services: their runtime state (running, idle clock, counters) carries over
 * @param added new services, served from now on
 * @param changed services whose definition changed: the old one is stopped, the new one boots on demand
 * @param removed services no longer configured: stopped
 */
public record ReloadResult(List<String> kept, List<String> added, List<String> changed, List<String> removed) {
    public ReloadResult {
        kept = List.copyOf(kept);
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
    }

    /** Lists longer than this are shortened in {@link #toString()} (the log and the admin API's answer). */
    static final int LISTED = 20;

    @Override
    public String toString() {
        return "kept " + ids(kept) + ", added " + ids(added) + ", changed " + ids(changed) + ", removed " + ids(removed);
    }

    /** All ids of a short list; of a long one (100,000 kept services), the first ones and the count. */
    private static String ids(List<String> ids) {
        if (ids.size() <= LISTED) {
            return ids.toString();
        }
        return "[" + String.join(", ", ids.subList(0, LISTED)) + ", ... (" + ids.size() + " in all)]";
    }
}
