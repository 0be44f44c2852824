package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Sinks;

/** TCP framing and pipelining (RFC 7766) on an {@link EmbeddedChannel}. */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class TcpQueryHandlerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(v4("127.0.0.9"), 40000);
    private static final String WWW = "www.example.test";

    private final TestAnswers zone = new TestAnswers();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final InFlight inFlight = new InFlight();
    private final List<ByteBuf> received = new ArrayList<>();
    private final Sinks.One<Answer> boot = Sinks.one();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        zone.put(WWW, RecordType.A, Answer.Found.of(List.of(new ResourceRecord.A(name(WWW), 300, v4("192.0.2.10")))));
        zone.put("cold.example.test", RecordType.A, boot.asMono());
        zone.put("huge.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("huge.example.test", 300)));
        QueryResponder responder = new QueryResponder(zone.pipeline(), Optional.empty(), metrics, 1232);
        channel = new EmbeddedChannel(new TcpFrameDecoder(NettyDnsServer.MAX_TCP_QUERY,
                () -> metrics.dropped(org.jitsu.server.dns.authority.Transport.TCP, "bad tcp frame")),
                new TcpQueryHandler(responder, inFlight, 2)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return CLIENT;
            }
        };
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        for (ByteBuf b : received) {
            assertThat(b.refCnt()).isZero();
        }
        assertThat(inFlight.count()).isZero();
    }

    private static byte[] framed(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            out.write(m.length >>> 8);
            out.write(m.length);
            out.writeBytes(m);
        }
        return out.toByteArray();
    }

    private void send(byte[] bytes) {
        ByteBuf b = channel.alloc().buffer(bytes.length).writeBytes(bytes);
        received.add(b);
        channel.writeInbound(b);
    }

    /** The next response, its length prefix checked and removed. */
    private Optional<byte[]> next() {
        ByteBuf b = channel.readOutbound();
        if (b == null) {
            return Optional.empty();
        }
        try {
            byte[] all = ByteBufUtil.getBytes(b);
            assertThat(Wire.u16(all, 0)).isEqualTo(all.length - 2);
            byte[] m = new byte[all.length - 2];
            System.arraycopy(all, 2, m, 0, m.length);
            return Optional.of(m);
        } finally {
            b.release();
        }
    }

    @Test
    void answersSeveralQueriesSentInOneSegment() {
        send(framed(QueryBytes.query(1, WWW, RecordType.A), QueryBytes.query(2, "nope.example.test", RecordType.A),
                QueryBytes.query(3, WWW, RecordType.AAAA)));
        byte[] a = next().orElseThrow();
        byte[] b = next().orElseThrow();
        byte[] c = next().orElseThrow();
        assertThat(next()).isEmpty();
        assertThat(new int[] {Wire.id(a), Wire.rcode(a), Wire.ancount(a)}).containsExactly(1, 0, 1);
        assertThat(new int[] {Wire.id(b), Wire.rcode(b)}).containsExactly(2, 3);
        assertThat(new int[] {Wire.id(c), Wire.rcode(c), Wire.nscount(c)}).containsExactly(3, 0, 1);
    }

    @Test
    void answersOutOfOrderAsRepliesComplete() {
        send(framed(QueryBytes.query(10, "cold.example.test", RecordType.A), QueryBytes.query(11, WWW, RecordType.A)));
        assertThat(Wire.id(next().orElseThrow())).isEqualTo(11);
        assertThat(next()).isEmpty();
        boot.tryEmitValue(Answer.Found.of(List.of(new ResourceRecord.A(name("cold.example.test"), 5,
                v4("127.0.0.42")))));
        byte[] late = next().orElseThrow();
        assertThat(Wire.id(late)).isEqualTo(10);
        assertThat(late).endsWith(127, 0, 0, 42);
    }

    @Test
    void readsAFrameSplitAcrossSegments() {
        byte[] whole = framed(QueryBytes.query(20, WWW, RecordType.A));
        byte[] first = new byte[5];
        byte[] rest = new byte[whole.length - 5];
        System.arraycopy(whole, 0, first, 0, 5);
        System.arraycopy(whole, 5, rest, 0, rest.length);
        send(first);
        assertThat(next()).isEmpty();
        send(rest);
        assertThat(Wire.id(next().orElseThrow())).isEqualTo(20);
    }

    @Test
    void largeAnswersAreNotTruncatedOverTcp() {
        send(framed(QueryBytes.query(30, "huge.example.test", RecordType.A)));
        byte[] m = next().orElseThrow();
        assertThat(Wire.tc(m)).isFalse();
        assertThat(Wire.ancount(m)).isEqualTo(300);
        assertThat(m.length).isGreaterThan(4000);
    }

    @Test
    void aZeroLengthFrameClosesTheConnection() {
        send(new byte[] {0, 0});
        assertThat(channel.isOpen()).isFalse();
        assertThat(next()).isEmpty();
        assertThat(metrics.dropped).containsExactly("bad tcp frame");
    }

    @Test
    void anOversizedFrameClosesTheConnection() {
        send(new byte[] {0x20, 0x00, 1, 2, 3});
        assertThat(channel.isOpen()).isFalse();
        assertThat(metrics.dropped).containsExactly("bad tcp frame");
    }

    @Test
    void closingWithAQueryPendingCancelsIt() {
        send(framed(QueryBytes.query(40, "cold.example.test", RecordType.A)));
        assertThat(inFlight.count()).isEqualTo(1);
        assertThat(boot.currentSubscriberCount()).isEqualTo(1);
        channel.close();
        assertThat(inFlight.count()).isZero();
        assertThat(boot.currentSubscriberCount()).isZero();
        boot.tryEmitValue(new Answer.ServerFailure("too late"));
        assertThat(next()).isEmpty();
    }

    @Test
    void stopsReadingWhileTooManyQueriesWait() {
        Sinks.One<Answer> other = Sinks.one();
        zone.put("cold2.example.test", RecordType.A, other.asMono());
        send(framed(QueryBytes.query(60, "cold.example.test", RecordType.A)));
        assertThat(channel.config().isAutoRead()).isTrue();
        send(framed(QueryBytes.query(61, "cold2.example.test", RecordType.A)));
        assertThat(channel.config().isAutoRead()).isFalse();
        other.tryEmitValue(new Answer.ServerFailure("x"));
        assertThat(Wire.id(next().orElseThrow())).isEqualTo(61);
        assertThat(channel.config().isAutoRead()).isTrue();
        boot.tryEmitValue(new Answer.ServerFailure("y"));
        assertThat(Wire.id(next().orElseThrow())).isEqualTo(60);
    }

    @Test
    void malformedMessagesGetFormerrAndTheConnectionStays() {
        send(framed(QueryBytes.header(50, 0, 0, 0, 0, 0).bytes(), QueryBytes.query(51, WWW, RecordType.A)));
        byte[] formerr = next().orElseThrow();
        assertThat(Wire.rcode(formerr)).isEqualTo(1);
        assertThat(Wire.id(next().orElseThrow())).isEqualTo(51);
        assertThat(channel.isOpen()).isTrue();
        assertThat(metrics.malformed.get()).isEqualTo(1);
    }
}
