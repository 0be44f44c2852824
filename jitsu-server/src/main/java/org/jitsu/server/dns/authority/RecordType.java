package org.jitsu.server.dns.authority;

/**
 * The numeric record types the authority answers for (RFC 1035, 3596); other types pass as numbers.
 * Wire-only types (OPT, AXFR, IXFR) are the front end's, named there by netty-codec-dns: this package
 * touches no Netty. The values are compile-time constants (switch labels in {@code NameNode}); the
 * front end's tests check that they equal netty-codec-dns's {@code DnsRecordType} values.
 */
public final class RecordType {
    public static final int A = 1;
    public static final int NS = 2;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int AAAA = 28;
    public static final int ANY = 255;

    private RecordType() {
    }
}
