package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Optional;
import org.jitsu.server.dns.authority.DomainName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Relayed (forwarded) responses: id restored, truncated to the client's limit. */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class ResponseEncoderTest {
    private static final WireRequest.Question QUESTION = new WireRequest.Question(
            new byte[] {3, 'W', 'w', 'w', 4, 't', 'e', 's', 't', 0}, DomainName.of("www.test"), 1, 1);

    private static byte[] upstreamResponse(int size) {
        byte[] m = QueryBytes.header(0x9999, 0x8180, 1, 0, 0, 0).name("www.test").u16(1).u16(1).bytes();
        byte[] out = new byte[Math.max(size, m.length)];
        System.arraycopy(m, 0, out, 0, m.length);
        return out;
    }

    private static byte[] encode(DnsReply reply, int limit) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try {
            ResponseEncoder.encode(out, reply, limit, 1232);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            assertThat(out.refCnt()).isZero();
        }
    }

    @Test
    void relayedResponsesGetTheClientsIdBack() {
        WireRequest request = new WireRequest(0x1234, 0, true, false, Optional.of(QUESTION), Optional.empty());
        byte[] upstream = upstreamResponse(100);
        byte[] out = encode(new DnsReply.Relayed(request, upstream), 512);
        assertThat(Wire.id(out)).isEqualTo(0x1234);
        assertThat(out.length).isEqualTo(100);
        for (int i = 2; i < 100; i++) {
            assertThat(out[i]).isEqualTo(upstream[i]);
        }
    }

    @Test
    void relayedResponsesLargerThanTheClientTakesAreTruncated() {
        WireRequest request = new WireRequest(0x1234, 0, true, false, Optional.of(QUESTION),
                Optional.of(new WireRequest.Edns(1232, 0, false)));
        byte[] out = encode(new DnsReply.Relayed(request, upstreamResponse(1500)), 1232);
        assertThat(Wire.id(out)).isEqualTo(0x1234);
        assertThat(Wire.tc(out)).isTrue();
        assertThat(Wire.ra(out)).as("upstream flags kept").isTrue();
        assertThat(Wire.qdcount(out)).isEqualTo(1);
        assertThat(Wire.ancount(out) + Wire.nscount(out)).isZero();
        assertThat(Wire.arcount(out)).isEqualTo(1);
        assertThat(out[13]).as("client's letter case").isEqualTo((byte) 'W');
        assertThat(Wire.trailingOpt(out)[0]).isEqualTo(1232);
    }

    @Test
    void upstreamResponsesMustEchoIdAndQuestion() {
        byte[] m = QueryBytes.header(0x4321, 0x8180, 1, 0, 0, 0).name("WWW.test").u16(1).u16(1).bytes();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(m);
        try {
            assertThat(UpstreamWire.answers(buf, 0x4321, QUESTION)).isTrue();
            assertThat(UpstreamWire.answers(buf, 0x4322, QUESTION)).isFalse();
            assertThat(UpstreamWire.answers(buf, 0x4321, new WireRequest.Question(QUESTION.nameWire(),
                    QUESTION.name(), 28, 1))).isFalse();
        } finally {
            buf.release();
        }
    }
}
