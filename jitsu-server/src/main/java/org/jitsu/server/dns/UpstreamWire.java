package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The forwarder's work on the bytes of one forwarded query: the upstream query built from the
 * client's packet, and the check that a packet from the upstream answers it. The forwarder relays
 * bytes, changing only the id, rather than decoding and re-encoding with netty-codec-dns: the
 * library's codecs cost more per query, drop the client's AD and CD bits and undo the upstream's
 * name compression (JMH {@code ForwarderWireBenchmark} in jitsu-bench measures both in one run).
 * Public for that benchmark.
 */
public final class UpstreamWire {
    private static final int HEADER = QueryDecoder.HEADER_LENGTH;

    private UpstreamWire() {
    }

    /**
     * The client's {@code query} with {@code id}, for an upstream: its bytes otherwise unchanged (flags,
     * question, OPT and its options), so that the upstream sees what the client asked. Written straight
     * into an I/O (direct) buffer of {@code alloc}: no copy of the array, and none when the socket writes
     * it (a heap buffer would be copied into a direct one there). With {@code lengthPrefix}, framed for
     * TCP (RFC 1035 4.2.2).
     */
    public static ByteBuf query(ByteBufAllocator alloc, byte[] query, int id, boolean lengthPrefix) {
        ByteBuf out = alloc.ioBuffer((lengthPrefix ? 2 : 0) + query.length);
        if (lengthPrefix) {
            out.writeShort(query.length);
        }
        int at = out.writerIndex();
        out.writeBytes(query);
        out.setShort(at, id);
        return out;
    }

    /**
     * True for a response ({@code m} from its reader index) with this id that echoes one question with
     * this wire name (letter case aside), type and class.
     */
    public static boolean answers(ByteBuf m, int id, byte[] nameWire, int qtype, int qclass) {
        int r = m.readerIndex();
        if (m.readableBytes() < HEADER + nameWire.length + 4 || m.getUnsignedShort(r) != id
                || (m.getByte(r + 2) & 0x80) == 0 || m.getUnsignedShort(r + 4) != 1) {
            return false;
        }
        for (int i = 0; i < nameWire.length; i++) {
            int a = nameWire[i];
            int b = m.getByte(r + HEADER + i);
            if (a != b && Character.toLowerCase(a) != Character.toLowerCase(b)) {
                return false;
            }
        }
        int at = r + HEADER + nameWire.length;
        return m.getUnsignedShort(at) == qtype && m.getUnsignedShort(at + 2) == qclass;
    }

    static boolean answers(ByteBuf m, int id, WireRequest.Question q) {
        return answers(m, id, q.nameWire(), q.qtype(), q.qclass());
    }
}
