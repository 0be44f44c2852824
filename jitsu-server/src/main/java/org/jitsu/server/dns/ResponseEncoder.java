package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.ClientSubnet;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.ResourceRecord;

/**
 * Writes DNS responses (RFC 1035 4.1) into a buffer: header, the client's question in the client's
 * letter case, records with name compression (4.1.4: owner names and NS/SOA rdata names), and an OPT
 * (RFC 6891) when the query had one. Compression matches names case-insensitively (as DNS compares
 * them), so a suffix may point into the question and take the client's letter case. A response larger than the client's limit keeps header,
 * question and OPT, drops every record and sets TC (RFC 2181 9).
 */
final class ResponseEncoder {
    private static final int OPT = DnsRecordType.OPT.intValue();
    private static final int FLAG_QR = 0x8000;
    private static final int FLAG_AA = 0x0400;
    private static final int FLAG_TC = 0x0200;
    private static final int FLAG_RD = 0x0100;
    private static final int FLAG_CD = 0x0010;
    private static final long MAX_TTL = 0x7fffffffL;
    private static final int MAX_POINTER = 0x3fff;

    /** One encoder per thread (an event loop), reset per response: its arrays are reused. */
    private static final FastThreadLocal<ResponseEncoder> ENCODER = new FastThreadLocal<>() {
        @Override
        protected ResponseEncoder initialValue() {
            return new ResponseEncoder();
        }
    };
    private static final int ADDRESS_SLOTS = 64;

    private ByteBuf out;
    private int base;
    /** Makes the server cookie of this response's COOKIE option; null: none is sent. */
    private ServerCookies cookies;
    /**
     * Names written so far, for compression: suffix {@code i} is {@code nameText[i].substring(nameStart[i])},
     * written at {@code nameOffset[i]}. Parallel arrays compared with {@code regionMatches} instead of
     * a map of substrings: the warm-path profile (JMH FrontEndBenchmark.encode, -prof gc) showed the
     * map, its nodes, the substrings and boxed offsets as most of the encoder's garbage.
     */
    private String[] nameText = new String[8];
    private int[] nameStart = new int[8];
    private int[] nameOffset = new int[8];
    private int nameCount;

    /**
     * The wire bytes of addresses written before, by identity: {@link InetAddress#getAddress()} copies
     * on every call, and a warm answer writes the same prebuilt record's address every time.
     */
    private final InetAddress[] addresses = new InetAddress[ADDRESS_SLOTS];
    private final byte[][] addressBytes = new byte[ADDRESS_SLOTS][];

    private ResponseEncoder() {
    }

    private ResponseEncoder reset(ByteBuf out) {
        this.out = out;
        this.base = out.writerIndex();
        this.nameCount = 0;
        return this;
    }

    /** Drops the references to this response's buffer and names. */
    private void clear() {
        out = null;
        cookies = null;
        Arrays.fill(nameText, 0, nameCount, null);
        nameCount = 0;
    }

    /**
     * Appends {@code reply} to {@code out} (offsets are relative to its writer index on entry).
     *
     * @param limit the largest message the client takes (UDP limit, or 65,535 over TCP)
     * @param ourPayload the UDP payload size we advertise in our OPT
     * @return the response code sent, extended codes included
     */
    static int encode(ByteBuf out, DnsReply reply, int limit, int ourPayload) {
        return encode(out, reply, limit, ourPayload, null);
    }

    /** As above, answering a client cookie with a server cookie made by {@code cookies} (null: none). */
    static int encode(ByteBuf out, DnsReply reply, int limit, int ourPayload, ServerCookies cookies) {
        ResponseEncoder e = ENCODER.get().reset(out);
        e.cookies = cookies;
        try {
            if (reply instanceof DnsReply.Built b) {
                return e.built(b, limit, ourPayload);
            }
            return e.relayed((DnsReply.Relayed) reply, limit, ourPayload);
        } finally {
            e.clear();
        }
    }

    private int built(DnsReply.Built b, int limit, int ourPayload) {
        WireRequest req = b.request();
        int rcode = b.rcode().intValue();
        int flags = FLAG_QR | (req.opcode() << 11) | (b.authoritative() ? FLAG_AA : 0) | (req.rd() ? FLAG_RD : 0)
                | (req.cd() ? FLAG_CD : 0) | (rcode & 0xF);
        header(req.id(), flags);
        int qdcount = question(req);
        int afterQuestion = out.writerIndex();
        records(b.answers());
        records(b.authority());
        records(b.additional());
        int arcount = b.additional().size();
        if (req.edns().isPresent()) {
            opt(rcode, req, ourPayload, b.scope());
            arcount++;
        }
        if (out.writerIndex() - base > limit) {
            truncate(afterQuestion, rcode, ourPayload, req);
        } else {
            counts(qdcount, b.answers().size(), b.authority().size(), arcount);
        }
        return rcode;
    }

    private int relayed(DnsReply.Relayed r, int limit, int ourPayload) {
        byte[] m = r.message();
        WireRequest req = r.request();
        int flags = ((m[2] & 0xff) << 8) | (m[3] & 0xff);
        if (m.length <= limit) {
            out.writeBytes(m);
            out.setShort(base, req.id());
            return flags & 0xF;
        }
        header(req.id(), flags);
        question(req);
        truncate(out.writerIndex(), flags & 0xF, ourPayload, req);
        return flags & 0xF;
    }

    private void truncate(int afterQuestion, int rcode, int ourPayload, WireRequest req) {
        out.writerIndex(afterQuestion);
        out.setShort(base + 2, out.getUnsignedShort(base + 2) | FLAG_TC);
        int arcount = 0;
        if (req.edns().isPresent()) {
            opt(rcode, req, ourPayload, Answer.Found.FOR_EVERYONE);
            arcount = 1;
        }
        counts(req.question().isPresent() ? 1 : 0, 0, 0, arcount);
    }

    private void header(int id, int flags) {
        out.writeShort(id);
        out.writeShort(flags);
        out.writeZero(8);
    }

    private void counts(int qd, int an, int ns, int ar) {
        out.setShort(base + 4, qd);
        out.setShort(base + 6, an);
        out.setShort(base + 8, ns);
        out.setShort(base + 10, ar);
    }

    /** Writes the question as the client sent it and remembers its suffixes for compression. */
    private int question(WireRequest req) {
        if (req.question().isEmpty()) {
            return 0;
        }
        WireRequest.Question q = req.question().get();
        int at = out.writerIndex() - base;
        out.writeBytes(q.nameWire());
        out.writeShort(q.qtype());
        out.writeShort(q.qclass());
        String text = q.name().text();
        byte[] wire = q.nameWire();
        int p = 0;
        int t = 0;
        while (wire[p] != 0) {
            if (find(text, t) < 0) {
                remember(text, t, at + p);
            }
            int len = wire[p];
            p += 1 + len;
            t += len + 1;
        }
        return 1;
    }

    /** Writes {@code records} by index: no iterator per section and response. */
    private void records(List<ResourceRecord> records) {
        for (int i = 0, n = records.size(); i < n; i++) {
            record(records.get(i));
        }
    }

    private void record(ResourceRecord r) {
        name(r.owner());
        out.writeShort(r.type());
        out.writeShort(DnsRecord.CLASS_IN);
        out.writeInt((int) Math.max(0, Math.min(MAX_TTL, r.ttl())));
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        if (r instanceof ResourceRecord.A a) {
            out.writeBytes(address(a.address()));
        } else if (r instanceof ResourceRecord.Aaaa a) {
            out.writeBytes(address(a.address()));
        } else if (r instanceof ResourceRecord.Ns ns) {
            name(ns.nameserver());
        } else if (r instanceof ResourceRecord.Soa soa) {
            name(soa.mname());
            name(soa.rname());
            out.writeInt((int) soa.serial());
            out.writeInt((int) soa.refresh());
            out.writeInt((int) soa.retry());
            out.writeInt((int) soa.expire());
            out.writeInt((int) soa.minimum());
        }
        out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
    }

    /** The wire bytes of {@code a}; never modified by the caller. */
    private byte[] address(InetAddress a) {
        int slot = System.identityHashCode(a) & (ADDRESS_SLOTS - 1);
        if (addresses[slot] == a) {
            return addressBytes[slot];
        }
        byte[] bytes = a.getAddress();
        addresses[slot] = a;
        addressBytes[slot] = bytes;
        return bytes;
    }

    /** Writes a name, pointing at the longest suffix already written. */
    private void name(DomainName n) {
        String text = n.text();
        int t = 0;
        while (t < text.length()) {
            int at = find(text, t);
            if (at >= 0) {
                out.writeShort(0xC000 | at);
                return;
            }
            int offset = out.writerIndex() - base;
            if (offset <= MAX_POINTER) {
                remember(text, t, offset);
            }
            int dot = text.indexOf('.', t);
            int end = dot < 0 ? text.length() : dot;
            out.writeByte(end - t);
            for (int i = t; i < end; i++) {
                out.writeByte(text.charAt(i)); // canonical names are ASCII
            }
            t = end + 1;
        }
        out.writeByte(0);
    }

    /** The offset at which {@code text.substring(from)} was written, or -1. */
    private int find(String text, int from) {
        int len = text.length() - from;
        for (int i = 0; i < nameCount; i++) {
            String known = nameText[i];
            int start = nameStart[i];
            if (known.length() - start == len && text.regionMatches(from, known, start, len)) {
                return nameOffset[i];
            }
        }
        return -1;
    }

    private void remember(String text, int from, int offset) {
        if (nameCount == nameText.length) {
            nameText = Arrays.copyOf(nameText, nameCount * 2);
            nameStart = Arrays.copyOf(nameStart, nameCount * 2);
            nameOffset = Arrays.copyOf(nameOffset, nameCount * 2);
        }
        nameText[nameCount] = text;
        nameStart[nameCount] = from;
        nameOffset[nameCount] = offset;
        nameCount++;
    }

    /**
     * Our OPT record; with the client's subnet option echoed (RFC 7871 7.2.1: family, source prefix and
     * address as sent); its scope 0 when the answer holds for every client, else the larger of the source
     * prefix and the answer's own scope (at most the address's bits).
     */
    private void opt(int rcode, WireRequest req, int ourPayload, int answerScope) {
        WireRequest.Edns edns = req.edns().get();
        out.writeByte(0);
        out.writeShort(OPT);
        out.writeShort(ourPayload);
        out.writeByte((rcode >>> 4) & 0xff);
        out.writeByte(0);
        out.writeShort(edns.dnssecOk() ? 0x8000 : 0);
        ClientSubnet subnet = edns.subnet();
        WireRequest.Cookie cookie = cookies != null && edns.cookie() != null && edns.cookie().from() != null
                ? edns.cookie() : null;
        int given = subnet == null ? 0 : (subnet.sourcePrefix() + 7) / 8;
        out.writeShort((subnet == null ? 0 : 4 + 4 + given) + (cookie == null ? 0 : 4 + 8 + 16));
        if (cookie != null) {
            out.writeShort(QueryDecoder.COOKIE);
            out.writeShort(8 + 16);
            out.writeLong(cookie.client());
            cookies.write(out, cookie.client(), cookie.from());
        }
        if (subnet == null) {
            return;
        }
        out.writeShort(QueryDecoder.ECS);
        out.writeShort(4 + given);
        out.writeShort(subnet.family());
        out.writeByte(subnet.sourcePrefix());
        int bits = subnet.address().getAddress().length * 8;
        out.writeByte(answerScope == Answer.Found.FOR_EVERYONE ? 0
                : Math.min(bits, Math.max(subnet.sourcePrefix(), answerScope)));
        out.writeBytes(subnet.address().getAddress(), 0, given);
    }

}
