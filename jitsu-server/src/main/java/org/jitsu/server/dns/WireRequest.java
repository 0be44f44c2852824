package org.jitsu.server.dns;

import java.net.InetAddress;
import java.util.Optional;
import org.jitsu.server.dns.authority.ClientSubnet;
import org.jitsu.server.dns.authority.DomainName;

/**
 * What the front end keeps of a query to answer it: the header fields that are echoed, the question
 * (when it could be read) and the EDNS OPT (when there was one). Copied out of the packet's buffer,
 * so it outlives it.
 */
record WireRequest(int id, int opcode, boolean rd, boolean cd, Optional<Question> question, Optional<Edns> edns) {

    /**
     * This request with the address it came from in its cookie: what a server cookie for the reply is
     * made of. Only for a request with a cookie (the others keep their size: a warm query's bytes count).
     */
    WireRequest withClient(InetAddress from) {
        Edns e = edns.orElseThrow();
        Cookie c = e.cookie();
        return new WireRequest(id, opcode, rd, cd, question, Optional.of(new Edns(e.payloadSize(), e.version(),
                e.dnssecOk(), e.subnet(), new Cookie(c.client(), c.serverLength(), c.serverHigh(), c.serverLow(), from))));
    }

    /** The client's DNS cookie (RFC 7873), or null. */
    Cookie cookie() {
        return edns.isPresent() ? edns.get().cookie() : null;
    }

    /**
     * A COOKIE option: the client cookie and, when the client sent one, the first 16 bytes of the server
     * cookie (all of ours) with its length; and the address it came from, once known ({@link #withClient}).
     */
    record Cookie(long client, int serverLength, long serverHigh, long serverLow, InetAddress from) {
    }

    /**
     * A question as the client sent it.
     *
     * @param nameWire the question name in wire form, uncompressed, in the client's letter case
     * @param name the canonical (lower-case) name
     */
    record Question(byte[] nameWire, DomainName name, int qtype, int qclass) {
    }

    /**
     * The client's OPT pseudo-record (RFC 6891).
     *
     * @param payloadSize the advertised UDP payload size, raised to 512 when smaller
     * @param version the EDNS version
     * @param dnssecOk the DO bit
     * @param subnet the EDNS Client Subnet option (RFC 7871), or null
     * @param cookie the COOKIE option (RFC 7873), or null
     */
    record Edns(int payloadSize, int version, boolean dnssecOk, ClientSubnet subnet, Cookie cookie) {
        Edns(int payloadSize, int version, boolean dnssecOk) {
            this(payloadSize, version, dnssecOk, null, null);
        }
    }

    /** The client subnet the query carried, or null. */
    ClientSubnet subnet() {
        return edns.isPresent() ? edns.get().subnet() : null;
    }

    /** The largest UDP response this client takes: 512 without EDNS, else min(advertised, ours). */
    int udpLimit(int ourMaxPayload) {
        if (edns.isEmpty()) { // no lambda, no boxing: this runs for every reply
            return 512;
        }
        return Math.max(512, Math.min(edns.get().payloadSize(), ourMaxPayload));
    }

    /** The question type, or -1 when there is no question. */
    int qtype() {
        return question.isPresent() ? question.get().qtype() : -1;
    }
}
