package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.jitsu.server.dns.authority.ClientSubnet;

/**
 * Parses a DNS query (RFC 1035 4.1, RFC 6891) from a buffer without changing its indices and without
 * keeping a reference to it. Decides the replies that need no pipeline: FORMERR, NOTIMP, BADVERS,
 * REFUSED (non-IN class, zone transfers), and drops (short header, QR=1).
 *
 * <p>Label bytes outside 0x21–0x7e, and the dot itself, make the query FORMERR: the pipeline's names
 * are plain ASCII host names, so a binary label can never match one of ours and is not worth an
 * escaping scheme. Letter case is folded for the pipeline and kept for the echoed question.
 *
 * <p>Zone transfers (AXFR, IXFR) are REFUSED on both transports.
 *
 * <p>Codes and types are named by netty-codec-dns ({@link DnsRecordType}, {@link DnsResponseCode},
 * {@link DnsOpCode}, {@link DnsSection}); values read from the wire stay {@code int}s, compared with
 * constants taken from the library once ({@code DnsRecordType.valueOf(int)} would allocate for unknown
 * types on every packet).
 */
final class QueryDecoder {
    static final int HEADER_LENGTH = 12;
    private static final int MAX_NAME = 255;
    private static final int QUERY = DnsOpCode.QUERY.byteValue();
    private static final int OPT = DnsRecordType.OPT.intValue();
    private static final int AXFR = DnsRecordType.AXFR.intValue();
    private static final int IXFR = DnsRecordType.IXFR.intValue();
    /** RFC 6891 9: 16 in an OPT is BADVERS (BADSIG is its TSIG meaning). */
    private static final DnsResponseCode BADVERS = DnsResponseCode.BADVERS_OR_BADSIG;

    private QueryDecoder() {
    }

    /** Thrown while parsing; preallocated and without stack trace so bad packets cost nothing. */
    /** The EDNS Client Subnet option's code (RFC 7871 6). */
    static final int ECS = 8;
    /** The COOKIE option's code (RFC 7873 4). */
    static final int COOKIE = 10;

    private static final class Malformed extends RuntimeException {
        private static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super("malformed", null, false, false);
        }
    }

    /**
     * Parsing state of one packet, reused by the thread that decodes (an event loop): {@link #reset}
     * before each packet. Holds a scratch copy of the question name, so that parsing allocates only
     * what the result keeps.
     */
    private static final class State {
        final byte[] wire = new byte[MAX_NAME];
        ByteBuf buf;
        int start;
        int limit;
        int pos;
        Optional<WireRequest.Question> question;
        Optional<WireRequest.Edns> edns;

        State reset(ByteBuf buf) {
            this.buf = buf;
            this.start = buf.readerIndex();
            this.limit = start + buf.readableBytes();
            this.pos = start + HEADER_LENGTH;
            this.question = Optional.empty();
            this.edns = Optional.empty();
            return this;
        }

        /** Drops the reference to the packet, which the caller releases. */
        void clear() {
            buf = null;
            question = Optional.empty();
            edns = Optional.empty();
        }

        int u8(int at) {
            if (at >= limit) {
                throw Malformed.INSTANCE;
            }
            return buf.getUnsignedByte(at);
        }

        int u16() {
            if (pos + 2 > limit) {
                throw Malformed.INSTANCE;
            }
            int v = buf.getUnsignedShort(pos);
            pos += 2;
            return v;
        }

        long u32() {
            if (pos + 4 > limit) {
                throw Malformed.INSTANCE;
            }
            long v = buf.getUnsignedInt(pos);
            pos += 4;
            return v;
        }

        /**
         * Reads a name at {@link #pos}, following backward compression pointers; leaves {@link #pos}
         * after the name (after the first pointer, if any). When {@code keep} is set, returns the
         * question; else validates and skips.
         */
        Optional<WireRequest.Question> name(boolean keep, QuestionCache cache) {
            byte[] wire = this.wire;
            int w = 0;
            int p = pos;
            int lowest = pos;
            int after = -1;
            while (true) {
                int len = u8(p);
                if (len == 0) {
                    if (after < 0) {
                        after = p + 1;
                    }
                    wire[w++] = 0;
                    break;
                }
                int kind = len & 0xC0;
                if (kind == 0xC0) {
                    int target = start + (((len & 0x3F) << 8) | u8(p + 1));
                    if (after < 0) {
                        after = p + 2;
                    }
                    if (target >= lowest) {
                        throw Malformed.INSTANCE; // forward pointer or loop
                    }
                    lowest = target;
                    p = target;
                    continue;
                }
                if (kind != 0) {
                    throw Malformed.INSTANCE; // extended label types (RFC 6891 5)
                }
                if (w + 1 + len + 1 > MAX_NAME || p + 1 + len > limit) {
                    throw Malformed.INSTANCE;
                }
                wire[w++] = (byte) len;
                if (keep) {
                    buf.getBytes(p + 1, wire, w, len); // one access per label, then checks on the copy
                    for (int i = w; i < w + len; i++) {
                        byte c = wire[i];
                        if (c < 0x21 || c > 0x7e || c == '.') {
                            throw Malformed.INSTANCE;
                        }
                    }
                } else {
                    for (int i = p + 1; i <= p + len; i++) {
                        byte c = buf.getByte(i);
                        if (c < 0x21 || c > 0x7e || c == '.') {
                            throw Malformed.INSTANCE;
                        }
                    }
                }
                w += len;
                p += 1 + len;
            }
            pos = after;
            if (!keep) {
                return Optional.empty();
            }
            int qtype = u16();
            int qclass = u16();
            return cache.question(wire, w, qtype, qclass);
        }

        /** [client subnet, cookie], either null; the array only when the OPT has options. */
        Object[] options(int from, int end) {
            return from == end ? NO_OPTIONS : optionsOf(buf, from, end);
        }

        /** Skips one resource record of {@code section}, remembering an OPT (legal only in ADDITIONAL). */
        void record(DnsSection section) {
            int ownerAt = pos;
            name(false, QuestionCache.NONE);
            boolean rootOwner = pos == ownerAt + 1;
            int type = u16();
            int rclass = u16();
            long ttl = u32();
            int rdlength = u16();
            if (pos + rdlength > limit) {
                throw Malformed.INSTANCE;
            }
            ClientSubnet subnet = null;
            WireRequest.Cookie cookie = null;
            if (type == OPT) {
                Object[] found = options(pos, pos + rdlength);
                subnet = (ClientSubnet) found[0];
                cookie = (WireRequest.Cookie) found[1];
            }
            pos += rdlength;
            if (type == OPT) {
                if (edns.isPresent() || !rootOwner || section != DnsSection.ADDITIONAL) {
                    throw Malformed.INSTANCE; // RFC 6891 6.1.1: one OPT, owned by the root, in additional
                }
                int version = (int) (ttl >>> 16) & 0xff;
                boolean dnssecOk = (ttl & 0x8000) != 0;
                edns = subnet == null && cookie == null ? edns(Math.max(512, rclass), version, dnssecOk)
                        : Optional.of(new WireRequest.Edns(Math.max(512, rclass), version, dnssecOk, subnet, cookie));
            }
        }
    }

    /**
     * The options of an OPT's rdata in {@code [from, end)}: each code and length must fit; returns the
     * EDNS Client Subnet option (RFC 7871 6, code 8) and the COOKIE option (RFC 7873, code 10), each or
     * null. FORMERR (RFC 7871 7.1.2) for a second subnet, an unknown family, a source prefix longer than
     * the family's addresses, an address longer or shorter than the prefix needs, or bits set beyond
     * the prefix; and (RFC 7873 5.2.2) for a second cookie or one of a length other than 8 or 16–40.
     */
    private static final Object[] NO_OPTIONS = {null, null};

    private static Object[] optionsOf(ByteBuf buf, int from, int end) {
        ClientSubnet subnet = null;
        WireRequest.Cookie cookie = null;
        int p = from;
        while (p < end) {
            if (p + 4 > end) {
                throw Malformed.INSTANCE;
            }
            int code = buf.getUnsignedShort(p);
            int length = buf.getUnsignedShort(p + 2);
            p += 4;
            if (p + length > end) {
                throw Malformed.INSTANCE;
            }
            if (code == ECS) {
                if (subnet != null) {
                    throw Malformed.INSTANCE;
                }
                subnet = subnet(buf, p, length);
            } else if (code == COOKIE) {
                if (cookie != null || !(length == 8 || (length >= 16 && length <= 40))) {
                    throw Malformed.INSTANCE; // RFC 7873 5.2.2: a client cookie of 8, a server cookie of 8 to 32
                }
                cookie = new WireRequest.Cookie(buf.getLong(p), length - 8,
                        length >= 16 ? buf.getLong(p + 8) : 0, length >= 24 ? buf.getLong(p + 16) : 0, null);
            }
            p += length;
        }
        return subnet == null && cookie == null ? NO_OPTIONS : new Object[] {subnet, cookie};
    }

    private static ClientSubnet subnet(ByteBuf buf, int at, int length) {
        if (length < 4) {
            throw Malformed.INSTANCE;
        }
        int family = buf.getUnsignedShort(at);
        int source = buf.getUnsignedByte(at + 2);
        int bytes = family == 1 ? 4 : family == 2 ? 16 : -1;
        int given = length - 4;
        if (bytes < 0 || source > bytes * 8 || given != (source + 7) / 8) {
            throw Malformed.INSTANCE;
        }
        byte[] address = new byte[bytes];
        buf.getBytes(at + 4, address, 0, given);
        if (source % 8 != 0 && (address[given - 1] & (0xff >>> (source % 8))) != 0) {
            throw Malformed.INSTANCE; // bits beyond the source prefix
        }
        try {
            return new ClientSubnet(InetAddress.getByAddress(address), source);
        } catch (UnknownHostException e) {
            throw Malformed.INSTANCE; // only for a wrong length, excluded above
        }
    }

    /**
     * The last EDNS options seen, per DO bit: clients send the same payload size every time, so the
     * decoder reuses the immutable value instead of allocating one per query. Racy by design: a slot
     * holds some complete, immutable value (final fields), whichever thread wrote it last.
     */
    private static final Optional<?>[] LAST_EDNS = {
        Optional.of(new WireRequest.Edns(1232, 0, false)), Optional.of(new WireRequest.Edns(1232, 0, true))};

    @SuppressWarnings("unchecked") // LAST_EDNS only ever holds Optional<Edns>
    private static Optional<WireRequest.Edns> edns(int payloadSize, int version, boolean dnssecOk) {
        int slot = dnssecOk ? 1 : 0;
        Optional<WireRequest.Edns> last = (Optional<WireRequest.Edns>) LAST_EDNS[slot];
        WireRequest.Edns e = last.get();
        if (e.payloadSize() == payloadSize && e.version() == version) {
            return last;
        }
        Optional<WireRequest.Edns> fresh = Optional.of(new WireRequest.Edns(payloadSize, version, dnssecOk));
        LAST_EDNS[slot] = fresh;
        return fresh;
    }

    private static final FastThreadLocal<State> STATE = new FastThreadLocal<>() {
        @Override
        protected State initialValue() {
            return new State();
        }
    };

    /** Parses {@code buf} (readable bytes = one DNS message) without a question cache. */
    static ParseResult decode(ByteBuf buf) {
        return decode(buf, QuestionCache.NONE);
    }

    /**
     * Parses {@code buf} (readable bytes = one DNS message); never throws, never releases. Questions
     * seen before come from {@code cache} (no allocation for the name).
     */
    static ParseResult decode(ByteBuf buf, QuestionCache cache) {
        if (buf.readableBytes() < HEADER_LENGTH) {
            return new ParseResult.Drop("short header", true);
        }
        int start = buf.readerIndex();
        int id = buf.getUnsignedShort(start);
        int flags = buf.getUnsignedShort(start + 2);
        if ((flags & 0x8000) != 0) {
            return new ParseResult.Drop("response", false);
        }
        int opcode = (flags >>> 11) & 0xF;
        boolean rd = (flags & 0x0100) != 0;
        boolean cd = (flags & 0x0010) != 0;
        int qdcount = buf.getUnsignedShort(start + 4);
        int ancount = buf.getUnsignedShort(start + 6);
        int nscount = buf.getUnsignedShort(start + 8);
        int arcount = buf.getUnsignedShort(start + 10);

        State s = STATE.get().reset(buf);
        boolean ok;
        try {
            if (qdcount != 1) {
                throw Malformed.INSTANCE;
            }
            s.question = s.name(true, cache);
            for (int i = 0; i < ancount; i++) {
                s.record(DnsSection.ANSWER);
            }
            for (int i = 0; i < nscount; i++) {
                s.record(DnsSection.AUTHORITY);
            }
            for (int i = 0; i < arcount; i++) {
                s.record(DnsSection.ADDITIONAL);
            }
            if (s.pos != s.limit) {
                throw Malformed.INSTANCE; // trailing bytes
            }
            ok = true;
        } catch (Malformed e) {
            ok = false;
        }
        WireRequest request = new WireRequest(id, opcode, rd, cd, s.question, s.edns);
        s.clear();
        if (opcode != QUERY) {
            return new ParseResult.Reject(DnsReply.Built.error(request, DnsResponseCode.NOTIMP), false);
        }
        if (!ok) {
            return new ParseResult.Reject(DnsReply.Built.error(request, DnsResponseCode.FORMERR), true);
        }
        if (request.edns().isPresent() && request.edns().get().version() > 0) {
            return new ParseResult.Reject(DnsReply.Built.error(request, BADVERS), false);
        }
        WireRequest.Question q = request.question().get();
        if (q.qclass() != DnsRecord.CLASS_IN) {
            return new ParseResult.Reject(DnsReply.Built.error(request, DnsResponseCode.REFUSED), false);
        }
        if (q.qtype() == AXFR || q.qtype() == IXFR) {
            return new ParseResult.Reject(DnsReply.Built.error(request, DnsResponseCode.REFUSED), false);
        }
        return new ParseResult.Accept(request);
    }
}
