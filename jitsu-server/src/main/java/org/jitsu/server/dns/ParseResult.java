package org.jitsu.server.dns;

/** What {@link QueryDecoder} made of a packet. */
sealed interface ParseResult extends MessageResponder.Parsed {

    /**
     * No reply at all.
     *
     * @param malformed true when the packet could not even be parsed (counted as malformed)
     */
    record Drop(String reason, boolean malformed) implements ParseResult {
    }

    /**
     * A reply decided by the decoder alone (FORMERR, NOTIMP, BADVERS, REFUSED).
     *
     * @param malformed true for FORMERR
     */
    record Reject(DnsReply.Built reply, boolean malformed) implements ParseResult {
    }

    /** A well-formed standard query for the pipeline. */
    record Accept(WireRequest request) implements ParseResult {
    }
}
