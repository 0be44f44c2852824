package org.jitsu.server.dns.authority;

/** The numeric record types the pipeline deals in (RFC 1035, 3596, 6891). Other types pass as numbers. */
public final class RecordType {
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int AAAA = 28;
    public static final int OPT = 41;
    public static final int IXFR = 251;
    public static final int AXFR = 252;
    public static final int ANY = 255;

    private RecordType() {
    }

    /** The mnemonic of a type for logs ("A", "AAAA", "TYPE65"). */
    public static String name(int type) {
        switch (type) {
            case A: return "A";
            case NS: return "NS";
            case CNAME: return "CNAME";
            case SOA: return "SOA";
            case AAAA: return "AAAA";
            case OPT: return "OPT";
            case IXFR: return "IXFR";
            case AXFR: return "AXFR";
            case ANY: return "ANY";
            default: return "TYPE" + type;
        }
    }
}
