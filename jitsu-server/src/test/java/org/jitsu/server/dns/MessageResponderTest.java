package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The public message path, used as a caller outside the package would: bytes in, bytes out. */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class MessageResponderTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(v4("127.0.0.9"), 5353);
    private static final String WWW = "www.example.test";

    private final TestAnswers zone = new TestAnswers().put(WWW, RecordType.A,
            Answer.Found.of(List.of(new ResourceRecord.A(name(WWW), 300, v4("192.0.2.10")))));
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final MessageResponder responder = MessageResponder.create(zone.pipeline(), metrics, 1232);

    private static byte[] bytes(ByteBuf out) {
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private Mono<MessageResponder.Reply> respond(byte[] query) {
        ByteBuf in = Unpooled.wrappedBuffer(query);
        try {
            return responder.respond(in, CLIENT, Transport.UDP);
        } finally {
            in.release();
        }
    }

    @Test
    void aWarmAnswerIsThereAtOnceAndEncodesAsTheListenersDo() {
        MessageResponder.Reply reply = MessageResponder.now(respond(QueryBytes.query(0x4242, WWW, RecordType.A)))
                .orElseThrow();
        byte[] m = bytes(responder.encodeUdp(ByteBufAllocator.DEFAULT, reply, System.nanoTime()));
        assertThat(Wire.id(m)).isEqualTo(0x4242);
        assertThat(Wire.rcode(m)).isEqualTo(DnsResponseCode.NOERROR.intValue());
        assertThat(Wire.aa(m)).isTrue();
        assertThat(Wire.ancount(m)).isEqualTo(1);
        assertThat(m).endsWith(192, 0, 2, 10);
        assertThat(metrics.rcodes).containsExactly(DnsResponseCode.NOERROR.intValue());

        byte[] framed = bytes(responder.encodeTcp(ByteBufAllocator.DEFAULT, reply, System.nanoTime()));
        assertThat(Wire.u16(framed, 0)).isEqualTo(m.length);
        assertThat(framed).endsWith(m);
    }

    @Test
    void namesOutsideEveryZoneAreRefused() {
        MessageResponder.Reply reply = MessageResponder.now(respond(QueryBytes.query(7, "www.elsewhere.test",
                RecordType.A))).orElseThrow();
        byte[] m = bytes(responder.encodeUdp(ByteBufAllocator.DEFAULT, reply, System.nanoTime()));
        assertThat(Wire.rcode(m)).isEqualTo(DnsResponseCode.REFUSED.intValue());
    }

    @Test
    void aResponseGetsNoReply() {
        Mono<MessageResponder.Reply> reply = respond(QueryBytes.header(9, 0x8000, 0, 0, 0, 0).bytes());
        assertThat(MessageResponder.now(reply)).isEmpty();
        assertThat(reply.block(Duration.ofSeconds(5))).isNull();
        assertThat(metrics.dropped).containsExactly("response");
    }

    @Test
    void anAnswerThatComesLaterIsNotThereAtOnce() {
        Sinks.One<Answer> boot = Sinks.one();
        zone.put("cold.example.test", RecordType.A, boot.asMono());
        Mono<MessageResponder.Reply> reply = respond(QueryBytes.query(11, "cold.example.test", RecordType.A));
        assertThat(MessageResponder.now(reply)).isEmpty();
        boot.tryEmitValue(new Answer.ServerFailure("boot failed"));
        MessageResponder.Reply r = reply.block(Duration.ofSeconds(5));
        byte[] m = bytes(responder.encodeUdp(ByteBufAllocator.DEFAULT, r, System.nanoTime()));
        assertThat(Wire.rcode(m)).isEqualTo(DnsResponseCode.SERVFAIL.intValue());
    }

    @Test
    void parsingLeavesTheBufferAlone() {
        ByteBuf in = Unpooled.wrappedBuffer(QueryBytes.query(1, WWW, RecordType.A));
        try {
            assertThat(responder.parse(in)).isNotNull();
            assertThat(in.readerIndex()).isZero();
            assertThat(in.refCnt()).isEqualTo(1);
        } finally {
            in.release();
        }
    }

    @Test
    void thePayloadSizeIsChecked() {
        assertThatThrownBy(() -> MessageResponder.create(zone.pipeline(), metrics, 511))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-udp-payload: 511 (expected: 512 to 65535)");
    }
}
