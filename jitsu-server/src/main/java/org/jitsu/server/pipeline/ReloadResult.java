package org.jitsu.server.pipeline;

import java.util.List;

/**
 * What a reload of the pipeline did, by service id.
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

    @Override
    public String toString() {
        return "kept " + kept + ", added " + added + ", changed " + changed + ", removed " + removed;
    }
}
