package org.jitsu.server.metrics;

/**
 * Bounded label values for record types and response codes: the common ones by name, the rest as
 * {@code other}, so that a client sending random types cannot grow the number of time series.
 */
final class DnsLabels {
    /** Types with their own label value, by index; the last index is {@code other}. */
    static final int[] TYPE_CODES = {1, 2, 5, 6, 12, 15, 16, 28, 33, 64, 65, 255, 257};
    static final String[] TYPE_NAMES = {"A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "SVCB",
            "HTTPS", "ANY", "CAA", "other"};
    static final int[] RCODE_CODES = {0, 1, 2, 3, 4, 5, 16};
    static final String[] RCODE_NAMES = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS",
            "other"};

    private DnsLabels() {
    }

    static int typeIndex(int qtype) {
        return index(TYPE_CODES, qtype);
    }

    static int rcodeIndex(int rcode) {
        return index(RCODE_CODES, rcode);
    }

    private static int index(int[] codes, int code) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == code) {
                return i;
            }
        }
        return codes.length;
    }
}
