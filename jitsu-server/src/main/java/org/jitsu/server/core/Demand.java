package org.jitsu.server.core;

/** Who asks a {@link ServiceRuntime} for its service, and so whether the caller waits and whether it is traffic. */
enum Demand {
    /** A client request that needs the endpoints: waits, counts as traffic, its wait is measured. */
    REQUEST(true, true),
    /** Traffic that needs no endpoints (a DNS query for another type): counts, never waits. */
    TOUCH(false, true),
    /** An operator's start: waits, is not traffic. */
    OPERATOR(true, false),
    /** Taking over a VM a dead owner left behind: nobody waits, not traffic. */
    TAKE_OVER(false, false);

    final boolean waits;
    final boolean traffic;

    Demand(boolean waits, boolean traffic) {
        this.waits = waits;
        this.traffic = traffic;
    }
}
