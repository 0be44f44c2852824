package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Server cookies as RFC 9018 makes them (checked against its test vector), and the responder using them. */
@Tag("fast")
class ServerCookiesTest {
    private static final byte[] SECRET = ByteBufUtil.decodeHexDump("e5e973e5a6b2a43f48e7dc849e37bfcf");
    private final AtomicLong now = new AtomicLong(1559731985L); // 0x5cf79f11, the RFC's timestamp
    private final ServerCookies cookies = new ServerCookies(SECRET, now::get);

    private static InetAddress ip(String s) {
        return IpLiteral.parse(s).orElseThrow();
    }

    private String cookie(long client, String address) {
        ByteBuf out = Unpooled.buffer();
        cookies.write(out, client, ip(address));
        try {
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    @Test
    void theRfcsServerCookieIsMadeByteForByte() {
        // A.1: client cookie 2464c4abcf10c957 from 198.51.100.100 at 1559731985, the RFC's secret
        assertThat(cookie(0x2464c4abcf10c957L, "198.51.100.100")).isEqualTo("010000005cf79f111f8130c3eee29480");
    }

    @Test
    void anIpv6ClientsCookieHashesItsWholeAddress() {
        ByteBuf out = Unpooled.buffer();
        cookies.write(out, 0x22681ab97d52c298L, ip("2001:db8:220:1:59de:d0f4:8769:82b8"));
        long high = out.readLong();
        long low = out.readLong();
        out.release();
        assertThat(cookies.valid(0x22681ab97d52c298L, high, low, ip("2001:db8:220:1:59de:d0f4:8769:82b8"))).isTrue();
        assertThat(cookies.valid(0x22681ab97d52c298L, high, low, ip("2001:db8:220:1:59de:d0f4:8769:82b9")))
                .as("the last byte differs").isFalse();
    }

    @Test
    void aCookieIsValidForAnHourForItsClientOnly() {
        long client = 0x2464c4abcf10c957L;
        ByteBuf out = Unpooled.buffer();
        cookies.write(out, client, ip("198.51.100.100"));
        long high = out.readLong();
        long low = out.readLong();
        out.release();
        assertThat(cookies.valid(client, high, low, ip("198.51.100.100"))).isTrue();
        assertThat(cookies.valid(client, high, low, ip("198.51.100.101"))).as("another client").isFalse();
        assertThat(cookies.valid(client + 1, high, low, ip("198.51.100.100"))).as("another client cookie").isFalse();
        now.addAndGet(3600);
        assertThat(cookies.valid(client, high, low, ip("198.51.100.100"))).isTrue();
        now.addAndGet(1);
        assertThat(cookies.valid(client, high, low, ip("198.51.100.100"))).as("older than an hour").isFalse();
        assertThat(new ServerCookies(new byte[16], now::get).valid(client, high, low, ip("198.51.100.100")))
                .as("another secret").isFalse();
    }

    private byte[] reply(QueryResponder responder, byte[] query) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        try {
            DnsReply r = QueryResponder.now(responder.respond(in, new InetSocketAddress(ip("198.51.100.100"),
                    5353), Transport.UDP)).orElseThrow();
            ByteBuf out = responder.encodeUdp(UnpooledByteBufAllocator.DEFAULT, r, System.nanoTime());
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }

    private static byte[] withCookie(int length) {
        QueryBytes q = QueryBytes.header(0x1111, 0x0100, 1, 0, 0, 1).name("www.example.test").u16(1).u16(1);
        q.u8(0).u16(41).u16(1232).u8(0).u8(0).u16(0).u16(4 + length).u16(10).u16(length);
        for (int i = 0; i < length; i++) {
            q.u8(i == 0 ? 0x24 : i);
        }
        return q.bytes();
    }

    @Test
    void theResponderAnswersAClientCookieWithAServerCookieAndRefusesBadLengths() {
        TestAnswers zone = new TestAnswers();
        QueryResponder on = new QueryResponder(zone.pipeline(), Optional.empty(), FrontEndMetrics.NOOP, 1232,
                null, cookies);
        byte[] m = reply(on, withCookie(8));
        // the OPT's rdata: COOKIE, 24 bytes: the client cookie echoed, then our 16
        int at = m.length - 28;
        assertThat(Wire.u16(m, at)).isEqualTo(10);
        assertThat(Wire.u16(m, at + 2)).isEqualTo(24);
        assertThat(m[at + 4]).isEqualTo((byte) 0x24);
        assertThat(m[at + 12]).as("version 1").isEqualTo((byte) 1);
        for (int bad : new int[] {7, 9, 15, 41}) {
            assertThat(Wire.rcode(reply(on, withCookie(bad)))).as("length %d", bad).isEqualTo(1); // FORMERR
        }
        QueryResponder off = new QueryResponder(zone.pipeline(), Optional.empty(), FrontEndMetrics.NOOP, 1232);
        assertThat(Wire.trailingOpt(reply(off, withCookie(8)))[0]).as("cookies off: an OPT without options")
                .isEqualTo(1232);
    }
}
