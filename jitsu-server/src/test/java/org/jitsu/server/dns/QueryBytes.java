package org.jitsu.server.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds DNS query packets byte by byte for tests (so tests do not depend on our encoder). */
final class QueryBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static QueryBytes header(int id, int flags, int qd, int an, int ns, int ar) {
        QueryBytes q = new QueryBytes();
        q.u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
        return q;
    }

    /** A standard query with RD for {@code name} (letter case kept), optionally with an OPT. */
    static byte[] query(int id, String name, int qtype) {
        return header(id, 0x0100, 1, 0, 0, 0).name(name).u16(qtype).u16(1).bytes();
    }

    static byte[] queryWithOpt(int id, String name, int qtype, int payload, int version, boolean dnssecOk) {
        return header(id, 0x0100, 1, 0, 0, 1).name(name).u16(qtype).u16(1)
                .opt(payload, version, dnssecOk).bytes();
    }

    QueryBytes u8(int v) {
        out.write(v);
        return this;
    }

    QueryBytes u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    QueryBytes u32(long v) {
        u16((int) (v >>> 16));
        return u16((int) v);
    }

    /** A name as uncompressed labels ("" is the root). */
    QueryBytes name(String name) {
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                byte[] b = label.getBytes(StandardCharsets.ISO_8859_1);
                out.write(b.length);
                out.writeBytes(b);
            }
        }
        out.write(0);
        return this;
    }

    QueryBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    QueryBytes opt(int payload, int version, boolean dnssecOk) {
        return u8(0).u16(41).u16(payload).u8(0).u8(version).u16(dnssecOk ? 0x8000 : 0).u16(0);
    }

    QueryBytes zeros(int count) {
        out.writeBytes(new byte[count]);
        return this;
    }

    int length() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
