package org.jitsu.server.dns;

/** DNS response codes used by the front end (RFC 1035, RFC 6891). */
final class Rcode {
    static final int NOERROR = 0;
    static final int FORMERR = 1;
    static final int SERVFAIL = 2;
    static final int NXDOMAIN = 3;
    static final int NOTIMP = 4;
    static final int REFUSED = 5;
    /** Extended: header rcode 0, OPT extended rcode 1. */
    static final int BADVERS = 16;

    private Rcode() {
    }
}
