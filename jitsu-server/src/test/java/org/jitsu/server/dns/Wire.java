package org.jitsu.server.dns;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DnsResponse;

/** Reads responses in tests: raw header fields, and an independent decode by netty-codec-dns. */
final class Wire {
    private Wire() {
    }

    static int u16(byte[] m, int at) {
        return ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
    }

    static int id(byte[] m) {
        return u16(m, 0);
    }

    static int flags(byte[] m) {
        return u16(m, 2);
    }

    static int rcode(byte[] m) {
        return flags(m) & 0xF;
    }

    static boolean qr(byte[] m) {
        return (flags(m) & 0x8000) != 0;
    }

    static boolean aa(byte[] m) {
        return (flags(m) & 0x0400) != 0;
    }

    static boolean tc(byte[] m) {
        return (flags(m) & 0x0200) != 0;
    }

    static boolean rd(byte[] m) {
        return (flags(m) & 0x0100) != 0;
    }

    static boolean ra(byte[] m) {
        return (flags(m) & 0x0080) != 0;
    }

    static int opcode(byte[] m) {
        return (flags(m) >>> 11) & 0xF;
    }

    static int qdcount(byte[] m) {
        return u16(m, 4);
    }

    static int ancount(byte[] m) {
        return u16(m, 6);
    }

    static int nscount(byte[] m) {
        return u16(m, 8);
    }

    static int arcount(byte[] m) {
        return u16(m, 10);
    }

    /** Offset of the first byte after the (single, uncompressed) question. */
    static int afterQuestion(byte[] m) {
        int p = 12;
        while (m[p] != 0) {
            p += 1 + m[p];
        }
        return p + 5;
    }

    /** The last 11 bytes as an OPT record: {payloadSize, extendedRcode, version, doBit}; asserts it is one. */
    static int[] trailingOpt(byte[] m) {
        int p = m.length - 11;
        if (m[p] != 0 || u16(m, p + 1) != 41) {
            throw new AssertionError("no OPT at the end of the response");
        }
        return new int[] {u16(m, p + 3), m[p + 5] & 0xff, m[p + 6] & 0xff, (m[p + 7] & 0x80) >>> 7};
    }

    /** Decodes {@code packet} with netty-codec-dns (independent of our code); the caller releases it. */
    static DnsResponse netty(DatagramPacket packet) {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        try {
            ch.writeInbound(packet);
            DnsResponse r = ch.readInbound();
            if (r == null) {
                throw new AssertionError("netty-codec-dns could not decode the response");
            }
            return r;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    static byte[] bytes(DatagramPacket packet) {
        return ByteBufUtil.getBytes(packet.content());
    }
}
