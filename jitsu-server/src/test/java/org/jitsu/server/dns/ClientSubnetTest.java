package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.ClientSubnet;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/** EDNS Client Subnet (RFC 7871): read from the query, handed to the pipeline, echoed with its scope. */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class ClientSubnetTest {
    private static final InetSocketAddress RESOLVER = new InetSocketAddress(v4("127.0.0.9"), 5353);
    private static final String WWW = "www.example.test";
    private final AtomicReference<Query> seen = new AtomicReference<>();
    private volatile int scope = 0; // chosen for the client: the whole source prefix
    private final MessageResponder responder = MessageResponder.create(q -> {
        seen.set(q);
        return Mono.just(new Answer.Found(List.of(new ResourceRecord.A(name(WWW), 30, v4("192.0.2.10"))), List.of(),
                List.of(), scope));
    }, new RecordingMetrics(), 1232);

    /** A query with an OPT holding these options (each: code, then its data bytes). */
    private static byte[] query(int[]... options) {
        QueryBytes q = QueryBytes.header(0x5151, 0x0100, 1, 0, 0, 1).name(WWW).u16(RecordType.A).u16(1);
        int rdlength = 0;
        for (int[] o : options) {
            rdlength += 4 + o.length - 1;
        }
        q.u8(0).u16(41).u16(1232).u8(0).u8(0).u16(0).u16(rdlength);
        for (int[] o : options) {
            q.u16(o[0]).u16(o.length - 1);
            q.raw(Arrays.copyOfRange(o, 1, o.length));
        }
        return q.bytes();
    }

    /** An ECS option: family, source prefix, scope prefix, address bytes. */
    private static int[] ecs(int family, int source, int scope, int... address) {
        int[] o = new int[5 + address.length];
        o[0] = 8;
        o[1] = family >>> 8;
        o[2] = family & 0xff;
        o[3] = source;
        o[4] = scope;
        System.arraycopy(address, 0, o, 5, address.length);
        return o;
    }

    private byte[] answer(byte[] query) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        try {
            MessageResponder.Reply r = MessageResponder.now(responder.respond(in, RESOLVER, Transport.UDP)).orElseThrow();
            ByteBuf out = responder.encodeUdp(ByteBufAllocator.DEFAULT, r, System.nanoTime());
            try {
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }

    /** The last {@code n} bytes of the reply, unsigned. */
    private static int[] tail(byte[] m, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = m[m.length - n + i] & 0xff;
        }
        return out;
    }

    @Test
    void theSubnetReachesThePipelineAndComesBackWithTheWholePrefixAsScope() {
        byte[] m = answer(query(ecs(1, 24, 0, 198, 51, 100)));
        assertThat(Wire.rcode(m)).isEqualTo(DnsResponseCode.NOERROR.intValue());
        ClientSubnet subnet = seen.get().subnet();
        assertThat(subnet).isEqualTo(new ClientSubnet(v4("198.51.100.0"), 24));
        // OPT rdata: code 8, length 7, family 1, source 24, scope 24, 198.51.100
        assertThat(tail(m, 11)).containsExactly(0, 8, 0, 7, 0, 1, 24, 24, 198, 51, 100);
    }

    @Test
    void anAnswerThatDependsOnMoreBitsThanWereSentSaysSo() {
        scope = 28; // e.g. a table of sites with a /28 row
        assertThat(tail(answer(query(ecs(1, 24, 0, 198, 51, 100))), 11)).containsExactly(0, 8, 0, 7, 0, 1, 24, 28, 198,
                51, 100);
        scope = 16;
        assertThat(tail(answer(query(ecs(1, 24, 0, 198, 51, 100))), 11)).as("never less than the source prefix")
                .containsExactly(0, 8, 0, 7, 0, 1, 24, 24, 198, 51, 100);
    }

    @Test
    void anAnswerForEveryoneHasScopeZero() {
        scope = Answer.Found.FOR_EVERYONE;
        byte[] m = answer(query(ecs(2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12)));
        assertThat(seen.get().subnet().sourcePrefix()).isEqualTo(56);
        assertThat(tail(m, 15)).containsExactly(0, 8, 0, 11, 0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x12);
    }

    @Test
    void otherOptionsAreSkippedAndNoSubnetIsEchoedWithoutOne() {
        byte[] m = answer(query(new int[] {10, 1, 2, 3, 4, 5, 6, 7, 8})); // a client cookie
        assertThat(Wire.rcode(m)).isEqualTo(DnsResponseCode.NOERROR.intValue());
        assertThat(seen.get().subnet()).isNull();
        assertThat(Wire.trailingOpt(m)[0]).as("an OPT with no options ends the reply").isEqualTo(1232);
    }

    @Test
    void aMalformedSubnetIsFormerr() {
        List<byte[]> bad = List.of(
                query(ecs(3, 24, 0, 1, 2, 3)), // unknown family
                query(ecs(1, 33, 0, 1, 2, 3, 4, 5)), // longer than an IPv4 address
                query(ecs(1, 24, 0, 198, 51, 100, 0)), // an address byte more than /24 needs
                query(ecs(1, 24, 0, 198, 51)), // one fewer
                query(ecs(1, 23, 0, 198, 51, 101)), // a bit set beyond /23
                query(ecs(1, 24, 0, 198, 51, 100), ecs(1, 24, 0, 198, 51, 100)), // twice
                query(new int[] {8, 0, 1})); // shorter than its fixed part
        for (byte[] q : bad) {
            seen.set(null);
            assertThat(Wire.rcode(answer(q))).isEqualTo(DnsResponseCode.FORMERR.intValue());
            assertThat(seen.get()).as("the pipeline is never asked").isNull();
        }
    }
}
