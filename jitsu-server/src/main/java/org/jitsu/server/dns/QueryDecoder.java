package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import java.util.Optional;
import org.jitsu.server.pipeline.DomainName;
import org.jitsu.server.pipeline.RecordType;

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
 */
final class QueryDecoder {
    static final int HEADER_LENGTH = 12;
    private static final int MAX_NAME = 255;
    private static final int CLASS_IN = 1;

    private QueryDecoder() {
    }

    /** Thrown while parsing; preallocated and without stack trace so bad packets cost nothing. */
    private static final class Malformed extends RuntimeException {
        private static final Malformed INSTANCE = new Malformed();

        private Malformed() {
            super("malformed", null, false, false);
        }
    }

    /** Parsing state of one packet. */
    private static final class State {
        final ByteBuf buf;
        final int start;
        final int limit;
        int pos;
        Optional<WireRequest.Question> question = Optional.empty();
        Optional<WireRequest.Edns> edns = Optional.empty();

        State(ByteBuf buf) {
            this.buf = buf;
            this.start = buf.readerIndex();
            this.limit = start + buf.readableBytes();
            this.pos = start + HEADER_LENGTH;
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
        Optional<WireRequest.Question> name(boolean keep) {
            byte[] wire = new byte[MAX_NAME];
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
                buf.getBytes(p + 1, wire, w, len); // one access per label, then checks on the copy
                for (int i = w; i < w + len; i++) {
                    byte c = wire[i];
                    if (c < 0x21 || c > 0x7e || c == '.') {
                        throw Malformed.INSTANCE;
                    }
                }
                w += len;
                p += 1 + len;
            }
            pos = after;
            if (!keep) {
                return Optional.empty();
            }
            byte[] exact = new byte[w];
            System.arraycopy(wire, 0, exact, 0, w);
            int qtype = u16();
            int qclass = u16();
            return Optional.of(new WireRequest.Question(exact, DomainName.ofCanonical(canonical(exact)), qtype, qclass));
        }

        /** The lower-case dotted text of a validated wire name (ASCII only: no IDN, no decoding). */
        private static String canonical(byte[] wire) {
            if (wire.length == 1) {
                return "";
            }
            char[] text = new char[wire.length - 2];
            int t = 0;
            int p = 0;
            while (wire[p] != 0) {
                int len = wire[p];
                if (t > 0) {
                    text[t++] = '.';
                }
                for (int i = p + 1; i <= p + len; i++) {
                    byte c = wire[i];
                    text[t++] = (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
                }
                p += 1 + len;
            }
            return new String(text, 0, t);
        }

        /** Skips one resource record, remembering an OPT (legal only in the additional section). */
        void record(boolean additional) {
            int ownerAt = pos;
            name(false);
            boolean rootOwner = pos == ownerAt + 1;
            int type = u16();
            int rclass = u16();
            long ttl = u32();
            int rdlength = u16();
            if (pos + rdlength > limit) {
                throw Malformed.INSTANCE;
            }
            pos += rdlength;
            if (type == RecordType.OPT) {
                if (edns.isPresent() || !rootOwner || !additional) {
                    throw Malformed.INSTANCE; // RFC 6891 6.1.1: one OPT, owned by the root, in additional
                }
                int version = (int) (ttl >>> 16) & 0xff;
                boolean dnssecOk = (ttl & 0x8000) != 0;
                edns = Optional.of(new WireRequest.Edns(Math.max(512, rclass), version, dnssecOk));
            }
        }
    }

    /** Parses {@code buf} (readable bytes = one DNS message); never throws, never releases. */
    static ParseResult decode(ByteBuf buf) {
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

        State s = new State(buf);
        boolean ok;
        try {
            if (qdcount != 1) {
                throw Malformed.INSTANCE;
            }
            s.question = s.name(true);
            for (int i = 0; i < ancount + nscount + arcount; i++) {
                s.record(i >= ancount + nscount);
            }
            if (s.pos != s.limit) {
                throw Malformed.INSTANCE; // trailing bytes
            }
            ok = true;
        } catch (Malformed e) {
            ok = false;
        }
        WireRequest request = new WireRequest(id, opcode, rd, cd, s.question, s.edns);
        if (opcode != 0) {
            return new ParseResult.Reject(DnsReply.Built.error(request, Rcode.NOTIMP), false);
        }
        if (!ok) {
            return new ParseResult.Reject(DnsReply.Built.error(request, Rcode.FORMERR), true);
        }
        if (s.edns.isPresent() && s.edns.get().version() > 0) {
            return new ParseResult.Reject(DnsReply.Built.error(request, Rcode.BADVERS), false);
        }
        WireRequest.Question q = s.question.get();
        if (q.qclass() != CLASS_IN) {
            return new ParseResult.Reject(DnsReply.Built.error(request, Rcode.REFUSED), false);
        }
        if (q.qtype() == RecordType.AXFR || q.qtype() == RecordType.IXFR) {
            return new ParseResult.Reject(DnsReply.Built.error(request, Rcode.REFUSED), false);
        }
        return new ParseResult.Accept(request);
    }
}
