package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;
import static org.jitsu.server.dns.TestAnswers.v6;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The UDP handler with our parser and encoder on an {@link EmbeddedChannel}: hand-built query bytes
 * in, responses checked byte by byte and through netty-codec-dns's decoder; every buffer released.
 */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class UdpQueryHandlerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(v4("127.0.0.9"), 5353);
    private static final InetSocketAddress SERVER = new InetSocketAddress(v4("127.0.0.1"), 53);
    private static final String WWW = "www.example.test";

    private final TestAnswers zone = new TestAnswers();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final InFlight inFlight = new InFlight();
    private final List<ByteBuf> received = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        zone.put(WWW, RecordType.A, Answer.Found.of(List.of(
                new ResourceRecord.A(name(WWW), 300, v4("192.0.2.10")),
                new ResourceRecord.A(name(WWW), 300, v4("192.0.2.11")))));
        QueryResponder responder = new QueryResponder(zone.pipeline(), Optional.empty(), metrics, 1232);
        channel = new EmbeddedChannel(new UdpQueryHandler(responder, inFlight));
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).as("unread outbound packets").isFalse();
        for (ByteBuf b : received) {
            assertThat(b.refCnt()).as("query buffer released").isZero();
        }
        assertThat(inFlight.count()).isZero();
    }

    private Optional<DatagramPacket> ask(byte[] query) {
        ByteBuf b = channel.alloc().buffer(query.length).writeBytes(query);
        received.add(b);
        channel.writeInbound(new DatagramPacket(b, SERVER, CLIENT));
        assertThat(channel.inboundMessages()).isEmpty();
        return Optional.ofNullable(channel.readOutbound());
    }

    /** The one response to {@code query}: checked through netty-codec-dns, returned as bytes. */
    private byte[] answer(byte[] query, Consumer<DnsResponse> check) {
        DatagramPacket packet = ask(query).orElseThrow(() -> new AssertionError("no response"));
        assertThat(packet.recipient()).isEqualTo(CLIENT);
        byte[] raw = Wire.bytes(packet);
        ByteBuf content = packet.content();
        DnsResponse response = Wire.netty(packet);
        try {
            check.accept(response);
        } finally {
            response.release();
        }
        assertThat(content.refCnt()).as("response buffer released").isZero();
        return raw;
    }

    private byte[] answer(byte[] query) {
        return answer(query, r -> { });
    }

    private static byte[] content(DnsRawRecord r) {
        return ByteBufUtil.getBytes(r.content());
    }

    @Test
    void answersARecordsEchoingTheClientsLetterCase() {
        byte[] raw = answer(QueryBytes.query(0x1234, "WwW.ExAmple.TEST", RecordType.A), r -> {
            assertThat(r.id()).isEqualTo(0x1234);
            assertThat(r.code()).isEqualTo(DnsResponseCode.NOERROR);
            assertThat(r.isAuthoritativeAnswer()).isTrue();
            assertThat(r.isRecursionDesired()).isTrue();
            assertThat(r.isRecursionAvailable()).isFalse();
            DnsQuestion q = r.recordAt(DnsSection.QUESTION);
            assertThat(q.name()).isEqualTo("WwW.ExAmple.TEST.");
            assertThat(q.type()).isEqualTo(DnsRecordType.A);
            assertThat(r.count(DnsSection.ANSWER)).isEqualTo(2);
            DnsRawRecord a0 = r.recordAt(DnsSection.ANSWER, 0);
            DnsRawRecord a1 = r.recordAt(DnsSection.ANSWER, 1);
            assertThat(a0.name()).isEqualTo("WwW.ExAmple.TEST.");
            assertThat(a0.type()).isEqualTo(DnsRecordType.A);
            assertThat(a0.timeToLive()).isEqualTo(300);
            assertThat(content(a0)).containsExactly(192, 0, 2, 10);
            assertThat(content(a1)).containsExactly(192, 0, 2, 11);
            assertThat(r.count(DnsSection.ADDITIONAL)).isZero();
        });
        int answerAt = Wire.afterQuestion(raw);
        assertThat(Wire.u16(raw, answerAt)).as("owner = pointer to the question").isEqualTo(0xC00C);
        assertThat(raw.length).isEqualTo(answerAt + 2 * (2 + 10 + 4));
        assertThat(metrics.rcodes).containsExactly(0);
    }

    @Test
    void answersAaaa() {
        zone.put("v6.example.test", RecordType.AAAA, Answer.Found.of(List.of(
                new ResourceRecord.Aaaa(name("v6.example.test"), 60, v6("2001:db8::1")))));
        answer(QueryBytes.query(7, "v6.example.test", RecordType.AAAA), r -> {
            DnsRawRecord a = r.recordAt(DnsSection.ANSWER, 0);
            assertThat(a.type()).isEqualTo(DnsRecordType.AAAA);
            assertThat(content(a)).containsExactly(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        });
    }

    @Test
    void compressesNsNamesAgainstTheQuestion() {
        zone.put("example.test", RecordType.NS, new Answer.Found(List.of(
                new ResourceRecord.Ns(name("example.test"), 3600, name("ns1.example.test")),
                new ResourceRecord.Ns(name("example.test"), 3600, name("ns1.other.test"))),
                List.of(),
                List.of(new ResourceRecord.A(name("ns1.example.test"), 3600, v4("192.0.2.53")))));
        byte[] raw = answer(QueryBytes.query(9, "Example.Test", RecordType.NS), r -> {
            assertThat(r.count(DnsSection.ANSWER)).isEqualTo(2);
            DnsRawRecord ns0 = r.recordAt(DnsSection.ANSWER, 0);
            DnsRawRecord ns1 = r.recordAt(DnsSection.ANSWER, 1);
            assertThat(DefaultDnsRecordDecoder.decodeName(ns0.content().duplicate()))
                    .isEqualToIgnoringCase("ns1.example.test.");
            // Compression is case-insensitive: "test" may point into the client's "Test".
            assertThat(DefaultDnsRecordDecoder.decodeName(ns1.content().duplicate()))
                    .isEqualToIgnoringCase("ns1.other.test.");
            DnsRawRecord glue = r.recordAt(DnsSection.ADDITIONAL, 0);
            assertThat(glue.name()).isEqualToIgnoringCase("ns1.example.test.");
            assertThat(content(glue)).containsExactly(192, 0, 2, 53);
        });
        int first = Wire.afterQuestion(raw);
        assertThat(Wire.u16(raw, first)).isEqualTo(0xC00C);
        assertThat(Wire.u16(raw, first + 10)).as("rdlength: label ns1 + pointer").isEqualTo(6);
        assertThat(raw[first + 12]).isEqualTo((byte) 3);
        assertThat(Wire.u16(raw, first + 16)).as("rdata suffix points to the question").isEqualTo(0xC00C);
        int glueAt = raw.length - (2 + 10 + 4);
        assertThat(Wire.u16(raw, glueAt)).as("glue owner points to the first NS rdata")
                .isEqualTo(0xC000 | (first + 12));
    }

    @Test
    void nxdomainCarriesTheSoaWithTheNegativeTtl() {
        byte[] raw = answer(QueryBytes.query(11, "Nope.example.test", RecordType.A), r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.NXDOMAIN);
            assertThat(r.isAuthoritativeAnswer()).isTrue();
            assertThat(r.count(DnsSection.ANSWER)).isZero();
            assertThat(r.count(DnsSection.AUTHORITY)).isEqualTo(1);
            DnsRawRecord soa = r.recordAt(DnsSection.AUTHORITY, 0);
            assertThat(soa.type()).isEqualTo(DnsRecordType.SOA);
            assertThat(soa.name()).isEqualToIgnoringCase("example.test.");
            assertThat(soa.timeToLive()).as("min(TTL, MINIMUM)").isEqualTo(60);
            ByteBuf rdata = soa.content().duplicate();
            assertThat(DefaultDnsRecordDecoder.decodeName(rdata)).isEqualToIgnoringCase("ns1.example.test.");
            assertThat(DefaultDnsRecordDecoder.decodeName(rdata)).isEqualToIgnoringCase("hostmaster.example.test.");
            assertThat(rdata.readUnsignedInt()).isEqualTo(2026112601L);
            assertThat(rdata.readUnsignedInt()).isEqualTo(7200);
            assertThat(rdata.readUnsignedInt()).isEqualTo(900);
            assertThat(rdata.readUnsignedInt()).isEqualTo(1209600);
            assertThat(rdata.readUnsignedInt()).isEqualTo(60);
        });
        int soaAt = Wire.afterQuestion(raw);
        assertThat(Wire.u16(raw, soaAt)).as("owner points into the question at 'example'").isEqualTo(0xC000 | 17);
        // mname: "ns1" + pointer to example.test; rname: "hostmaster" + the same pointer.
        assertThat(Wire.u16(raw, soaAt + 10)).isEqualTo(4 + 2 + 11 + 2 + 20);
        assertThat(metrics.rcodes).containsExactly(3);
    }

    @Test
    void nodataCarriesTheSoa() {
        answer(QueryBytes.query(12, WWW, RecordType.AAAA), r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.NOERROR);
            assertThat(r.isAuthoritativeAnswer()).isTrue();
            assertThat(r.count(DnsSection.ANSWER)).isZero();
            DnsRawRecord soa = r.recordAt(DnsSection.AUTHORITY, 0);
            assertThat(soa.type()).isEqualTo(DnsRecordType.SOA);
        });
    }

    static List<Arguments> malformed() {
        return List.of(
                Arguments.of("question cut short", QueryBytes.header(1, 0, 1, 0, 0, 0).raw(3, 'w', 'w').bytes(), false),
                Arguments.of("label longer than the packet",
                        QueryBytes.header(2, 0, 1, 0, 0, 0).raw(10, 'a', 'b', 'c', 0, 0, 1, 0, 1).bytes(), false),
                Arguments.of("extended label type 0x40",
                        QueryBytes.header(3, 0, 1, 0, 0, 0).raw(0x41, 'a', 0, 0, 1, 0, 1).bytes(), false),
                Arguments.of("pointer loop", QueryBytes.header(4, 0, 1, 0, 0, 0).raw(0xC0, 12, 0, 1, 0, 1).bytes(), false),
                Arguments.of("forward pointer",
                        QueryBytes.header(5, 0, 1, 0, 0, 0).raw(0xC0, 18, 0, 1, 0, 1, 1, 'a', 0).bytes(), false),
                Arguments.of("label too long (64)",
                        QueryBytes.header(6, 0, 1, 0, 0, 0).name("a".repeat(64)).u16(1).u16(1).bytes(), false),
                Arguments.of("name longer than 255",
                        QueryBytes.header(7, 0, 1, 0, 0, 0).name(("a".repeat(60) + ".").repeat(5) + "x").u16(1).u16(1)
                                .bytes(), false),
                Arguments.of("space in a label", QueryBytes.header(8, 0, 1, 0, 0, 0).name("a b.example.test").u16(1)
                        .u16(1).bytes(), false),
                Arguments.of("QDCOUNT 0", QueryBytes.header(9, 0, 0, 0, 0, 0).bytes(), false),
                Arguments.of("QDCOUNT 2", QueryBytes.header(10, 0, 2, 0, 0, 0).name(WWW).u16(1).u16(1)
                        .name(WWW).u16(1).u16(1).bytes(), false),
                Arguments.of("two OPT records", QueryBytes.header(11, 0, 1, 0, 0, 2).name(WWW).u16(1).u16(1)
                        .opt(1232, 0, false).opt(1232, 0, false).bytes(), true),
                Arguments.of("OPT not owned by the root", QueryBytes.header(12, 0, 1, 0, 0, 1).name(WWW).u16(1).u16(1)
                        .name("x").u16(41).u16(1232).u32(0).u16(0).bytes(), true),
                Arguments.of("OPT in the answer section", QueryBytes.header(17, 0, 1, 1, 0, 0).name(WWW).u16(1).u16(1)
                        .opt(1232, 0, false).bytes(), true),
                Arguments.of("trailing junk", QueryBytes.header(13, 0, 1, 0, 0, 0).name(WWW).u16(1).u16(1)
                        .raw(1, 2, 3).bytes(), true),
                Arguments.of("ANCOUNT 1 without a record", QueryBytes.header(14, 0, 1, 1, 0, 0).name(WWW).u16(1).u16(1)
                        .bytes(), true),
                Arguments.of("record rdata past the end", QueryBytes.header(15, 0, 1, 0, 0, 1).name(WWW).u16(1).u16(1)
                        .u8(0).u16(1).u16(1).u32(0).u16(10).raw(1, 2).bytes(), true),
                Arguments.of("type and class missing", QueryBytes.header(16, 0, 1, 0, 0, 0).name(WWW).raw(0).bytes(),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedQueriesGetFormerr(String what, byte[] query, boolean questionReadable) {
        byte[] raw = answer(query, r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.FORMERR);
            assertThat(r.id()).isEqualTo(Wire.id(query));
        });
        assertThat(Wire.qr(raw)).isTrue();
        assertThat(Wire.aa(raw)).isFalse();
        assertThat(Wire.qdcount(raw)).isEqualTo(questionReadable ? 1 : 0);
        assertThat(Wire.ancount(raw) + Wire.nscount(raw)).isZero();
        assertThat(metrics.malformed.get()).isEqualTo(1);
        assertThat(metrics.rcodes).containsExactly(1);
    }

    @Test
    void updateGetsNotimpWithOpcodeAndQuestionEchoed() {
        byte[] query = QueryBytes.header(0xBEEF, (5 << 11) | 0x0100, 1, 0, 0, 0).name("Example.Test").u16(6).u16(1)
                .bytes();
        byte[] raw = answer(query, r -> {
            assertThat(r.code()).isEqualTo(DnsResponseCode.NOTIMP);
            assertThat(r.opCode().byteValue()).isEqualTo((byte) 5);
            DnsQuestion q = r.recordAt(DnsSection.QUESTION);
            assertThat(q.name()).isEqualTo("Example.Test.");
        });
        assertThat(Wire.id(raw)).isEqualTo(0xBEEF);
        assertThat(Wire.rd(raw)).isTrue();
        assertThat(metrics.malformed.get()).isZero();
    }

    @Test
    void responsesAreDroppedSilently() {
        byte[] query = QueryBytes.header(1, 0x8000, 1, 0, 0, 0).name(WWW).u16(1).u16(1).bytes();
        assertThat(ask(query)).isEmpty();
        assertThat(metrics.dropped).containsExactly("response");
        assertThat(metrics.malformed.get()).isZero();
    }

    @Test
    void shortHeadersAreDroppedAndCounted() {
        assertThat(ask(new byte[11])).isEmpty();
        assertThat(ask(new byte[0])).isEmpty();
        assertThat(metrics.malformed.get()).isEqualTo(2);
        assertThat(metrics.dropped).hasSize(2);
    }

    @Test
    void ednsVersion1GetsBadvers() {
        byte[] raw = answer(QueryBytes.queryWithOpt(21, WWW, RecordType.A, 1232, 1, false), r -> {
            assertThat(r.count(DnsSection.ADDITIONAL)).isEqualTo(1);
        });
        assertThat(Wire.rcode(raw)).as("header rcode: low 4 bits of 16").isZero();
        int[] opt = Wire.trailingOpt(raw);
        assertThat(opt[1]).as("extended rcode high bits").isEqualTo(1);
        assertThat(opt[2]).as("our version").isZero();
        assertThat(Wire.ancount(raw)).isZero();
        assertThat(Wire.arcount(raw)).isEqualTo(1);
        assertThat(metrics.rcodes).containsExactly(16);
    }

    @Test
    void ednsIsEchoedWithOurPayloadSizeAndTheDoBit() {
        byte[] raw = answer(QueryBytes.queryWithOpt(22, WWW, RecordType.A, 4096, 0, true), r -> {
            assertThat(r.count(DnsSection.ANSWER)).isEqualTo(2);
            assertThat(r.count(DnsSection.ADDITIONAL)).isEqualTo(1);
        });
        int[] opt = Wire.trailingOpt(raw);
        assertThat(opt[0]).isEqualTo(1232);
        assertThat(opt[1]).isZero();
        assertThat(opt[3]).isEqualTo(1);
    }

    @Test
    void oversizeWithoutEdnsSetsTcAndDropsAllRecords() {
        zone.put("big.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("big.example.test", 40)));
        byte[] raw = answer(QueryBytes.query(31, "big.example.test", RecordType.A), r -> {
            assertThat(r.isTruncated()).isTrue();
            assertThat(r.count(DnsSection.QUESTION)).isEqualTo(1);
        });
        assertThat(raw.length).isLessThanOrEqualTo(512);
        assertThat(Wire.tc(raw)).isTrue();
        assertThat(Wire.ancount(raw) + Wire.nscount(raw) + Wire.arcount(raw)).isZero();
        assertThat(raw.length).isEqualTo(Wire.afterQuestion(raw));
    }

    @Test
    void ednsRaisesTheLimitUpToOurMaximum() {
        zone.put("big.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("big.example.test", 40)));
        zone.put("huge.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("huge.example.test", 100)));
        byte[] fits = answer(QueryBytes.queryWithOpt(32, "big.example.test", RecordType.A, 4096, 0, false));
        assertThat(Wire.tc(fits)).isFalse();
        assertThat(Wire.ancount(fits)).isEqualTo(40);
        assertThat(fits.length).isGreaterThan(512);

        byte[] cut = answer(QueryBytes.queryWithOpt(33, "huge.example.test", RecordType.A, 4096, 0, false), r -> {
            assertThat(r.isTruncated()).isTrue();
        });
        assertThat(Wire.tc(cut)).isTrue();
        assertThat(Wire.ancount(cut)).isZero();
        assertThat(Wire.arcount(cut)).as("OPT kept").isEqualTo(1);
        assertThat(Wire.trailingOpt(cut)[0]).isEqualTo(1232);
    }

    @Test
    void advertisedPayloadBelow512CountsAs512() {
        zone.put("mid.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("mid.example.test", 25)));
        byte[] raw = answer(QueryBytes.queryWithOpt(34, "mid.example.test", RecordType.A, 100, 0, false));
        assertThat(raw.length).isGreaterThan(100).isLessThanOrEqualTo(512);
        assertThat(Wire.tc(raw)).isFalse();
        assertThat(Wire.ancount(raw)).isEqualTo(25);
    }

    @Test
    void chaosClassAndZoneTransfersAreRefused() {
        byte[] chaos = answer(QueryBytes.header(41, 0, 1, 0, 0, 0).name("version.bind").u16(16).u16(3).bytes(),
                r -> assertThat(r.code()).isEqualTo(DnsResponseCode.REFUSED));
        assertThat(Wire.qdcount(chaos)).isEqualTo(1);
        byte[] axfr = answer(QueryBytes.query(42, "example.test", DnsRecordType.AXFR.intValue()));
        assertThat(Wire.rcode(axfr)).isEqualTo(5);
        byte[] ixfr = answer(QueryBytes.query(43, "example.test", DnsRecordType.IXFR.intValue()));
        assertThat(Wire.rcode(ixfr)).isEqualTo(5);
        assertThat(metrics.rcodes).containsExactly(5, 5, 5);
    }

    @Test
    void outOfZoneWithoutForwarderIsRefused() {
        byte[] raw = answer(QueryBytes.query(44, "www.elsewhere.test", RecordType.A));
        assertThat(Wire.rcode(raw)).isEqualTo(5);
        assertThat(Wire.aa(raw)).isFalse();
    }

    @Test
    void pipelineOutcomesMapToRcodes() {
        zone.put("refused.example.test", RecordType.A, new Answer.Refused("policy"));
        zone.put("fail.example.test", RecordType.A, new Answer.ServerFailure("boot failed"));
        zone.put("error.example.test", RecordType.A, Mono.error(new IllegalStateException("bug")));
        zone.put("empty.example.test", RecordType.A, Mono.empty());
        assertThat(Wire.rcode(answer(QueryBytes.query(1, "refused.example.test", RecordType.A)))).isEqualTo(5);
        assertThat(Wire.rcode(answer(QueryBytes.query(2, "fail.example.test", RecordType.A)))).isEqualTo(2);
        assertThat(Wire.rcode(answer(QueryBytes.query(3, "error.example.test", RecordType.A)))).isEqualTo(2);
        assertThat(Wire.rcode(answer(QueryBytes.query(4, "empty.example.test", RecordType.A)))).isEqualTo(2);
    }

    @Test
    void aThrowingPipelineGetsServfailAndTheChannelLives() {
        QueryResponder responder = new QueryResponder(q -> {
            throw new IllegalStateException("bug");
        }, Optional.empty(), metrics, 1232);
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel(new UdpQueryHandler(responder, inFlight));
        assertThat(Wire.rcode(answer(QueryBytes.query(1, WWW, RecordType.A)))).isEqualTo(2);
        assertThat(Wire.rcode(answer(QueryBytes.query(2, WWW, RecordType.A)))).isEqualTo(2);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aLateAnswerIsSentWhenItCompletes() {
        Sinks.One<Answer> boot = Sinks.one();
        zone.put("cold.example.test", RecordType.A, boot.asMono());
        assertThat(ask(QueryBytes.query(51, "Cold.example.test", RecordType.A))).isEmpty();
        assertThat(inFlight.count()).isEqualTo(1);
        boot.tryEmitValue(Answer.Found.of(List.of(new ResourceRecord.A(name("cold.example.test"), 5,
                v4("127.0.0.42")))));
        DatagramPacket late = channel.readOutbound();
        assertThat(late).isNotNull();
        byte[] raw = Wire.bytes(late);
        late.release();
        assertThat(Wire.id(raw)).isEqualTo(51);
        assertThat(Wire.ancount(raw)).isEqualTo(1);
        assertThat(raw).endsWith(127, 0, 0, 42);
        assertThat(inFlight.count()).isZero();
    }

    @Test
    void lateRepliesCompletedOffTheLoopAreWrittenByOneTaskWithOneFlush() {
        Sinks.One<Answer> boot = Sinks.one();
        zone.put("crowd.example.test", RecordType.A, boot.asMono());
        ManualExecutor loop = new ManualExecutor();
        int[] flushes = new int[1];
        channel.finishAndReleaseAll();
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                flushes[0]++;
                ctx.flush();
            }
        });
        channel.pipeline().addLast(loop, new UdpQueryHandler(
                new QueryResponder(zone.pipeline(), Optional.empty(), metrics, 1232), inFlight));
        int waiters = 100;
        for (int i = 0; i < waiters; i++) {
            ByteBuf b = channel.alloc().buffer().writeBytes(QueryBytes.query(i, "crowd.example.test", RecordType.A));
            received.add(b);
            channel.writeInbound(new DatagramPacket(b, SERVER, CLIENT));
        }
        loop.runAll(); // handlerAdded, then channelRead and channelReadComplete per packet
        assertThat(inFlight.count()).isEqualTo(waiters);
        assertThat((Object) channel.readOutbound()).isNull();

        boot.tryEmitValue(Answer.Found.of(List.of(new ResourceRecord.A(name("crowd.example.test"), 5,
                v4("127.0.0.42"))))); // on the test thread: off the handler's loop
        assertThat((Object) channel.readOutbound()).as("nothing written off the loop").isNull();
        int flushesBefore = flushes[0];
        assertThat(loop.runAll()).as("one drain task for all replies").isEqualTo(1);
        assertThat(flushes[0] - flushesBefore).as("one flush for all replies").isEqualTo(1);
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (DatagramPacket p = channel.readOutbound(); p != null; p = channel.readOutbound()) {
            byte[] raw = Wire.bytes(p);
            p.release();
            assertThat(raw).endsWith(127, 0, 0, 42);
            ids.add(Wire.id(raw));
        }
        assertThat(ids).hasSize(waiters);
        assertThat(inFlight.count()).isZero();
    }
}
