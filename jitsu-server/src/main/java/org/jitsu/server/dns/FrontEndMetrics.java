package org.jitsu.server.dns;

import org.jitsu.server.dns.authority.Transport;

/**
 * What the front end reports. Kept free of any metrics library (issue 4 binds it to Micrometer);
 * implementations must be cheap and thread-safe: they are called on event loops.
 */
public interface FrontEndMetrics {

    /** A query was answered; {@code rcode} is the final response code (extended codes included). */
    default void answered(Transport transport, int qtype, int rcode, long latencyNanos) {
    }

    /** A packet could not be parsed (FORMERR sent, or dropped when even the header was unreadable). */
    default void malformed(Transport transport) {
    }

    /** A packet was dropped without a reply (QR=1, unreadable header, limits). */
    default void dropped(Transport transport, String reason) {
    }

    /** A UDP answer over the rate limit: {@code dropped}, {@code slipped} (sent truncated) or {@code dry-run}. */
    default void rateLimited(String action) {
    }

    /** A query was forwarded upstream; {@code ok} is false on timeout or upstream failure. */
    default void forwarded(boolean ok, long latencyNanos) {
    }

    /** TCP connections opened (+1) or closed (-1). */
    default void tcpConnections(int delta) {
    }

    /** Reports nothing. */
    FrontEndMetrics NOOP = new FrontEndMetrics() {
    };
}
