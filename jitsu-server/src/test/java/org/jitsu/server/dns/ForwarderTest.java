package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.server.net.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The forwarder against stand-in upstreams on 127.0.0.1, with attempt timeouts on virtual time: a
 * silent upstream costs exactly the timeout, not a real wait.
 */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class ForwarderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8").orElseThrow());
    private static final WireRequest.Question QUESTION = new WireRequest.Question(
            new QueryBytes().name("www.elsewhere.test").bytes(), DomainName.of("www.elsewhere.test"), 1, 1);

    private final Transports transports = Transports.detect();
    private final EventLoopGroup group = transports.newGroup(1, "test-forwarder");
    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    private final RecordingMetrics metrics = new RecordingMetrics();

    @AfterEach
    void tearDown() {
        assertThat(group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS))
                .isTrue();
        clock.dispose();
    }

    private Forwarder start(TestUpstream... upstreams) {
        List<java.net.InetSocketAddress> addresses = java.util.Arrays.stream(upstreams)
                .map(TestUpstream::address).toList();
        Forwarder f = Forwarder.start(new ForwardSettings(addresses, TIMEOUT, LOOPBACK), group, transports, metrics,
                clock).block(Duration.ofSeconds(5));
        assertThat(f).isNotNull();
        return f;
    }

    private static WireRequest request(int id) {
        return new WireRequest(id, 0, true, false, Optional.of(QUESTION), Optional.empty());
    }

    @Test
    void aSilentUpstreamCostsExactlyTheTimeoutThenTheNextAnswers() throws Exception {
        try (TestUpstream silent = TestUpstream.silent(); TestUpstream answering = TestUpstream.answering(198, 51, 100, 7)) {
            Forwarder f = start(silent, answering);
            byte[] query = QueryBytes.query(0x2222, "www.elsewhere.test", 1);
            CompletableFuture<DnsReply> reply = f.forward(request(0x2222), query, Transport.UDP).toFuture();
            assertThat(silent.received.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            clock.advanceTimeBy(TIMEOUT.minusMillis(1));
            assertThat(reply).isNotDone();
            assertThat(answering.queries.get()).isZero();
            clock.advanceTimeBy(Duration.ofMillis(1));
            DnsReply r = reply.get(5, TimeUnit.SECONDS);
            assertThat(r).isInstanceOf(DnsReply.Relayed.class);
            byte[] m = ((DnsReply.Relayed) r).message();
            assertThat(m).endsWith(198, 51, 100, 7);
            assertThat(metrics.forwardedOk.get()).isEqualTo(1);
            f.close().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void servfailWhenEveryUpstreamTimesOut() throws Exception {
        try (TestUpstream first = TestUpstream.silent(); TestUpstream second = TestUpstream.silent()) {
            Forwarder f = start(first, second);
            byte[] query = QueryBytes.query(0x3333, "www.elsewhere.test", 1);
            CompletableFuture<DnsReply> reply = f.forward(request(0x3333), query, Transport.UDP).toFuture();
            assertThat(first.received.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            clock.advanceTimeBy(TIMEOUT);
            assertThat(second.received.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            assertThat(reply).isNotDone();
            clock.advanceTimeBy(TIMEOUT);
            DnsReply r = reply.get(5, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfSatisfying(DnsReply.Built.class,
                    b -> assertThat(b.rcode()).isEqualTo(DnsResponseCode.SERVFAIL));
            assertThat(metrics.forwardedFailed.get()).isEqualTo(1);
            f.close().block(Duration.ofSeconds(5));
        }
    }

    /** As dig sends it: RD, AD and CD set, an OPT with DO and a cookie option. */
    private static byte[] digLikeQuery(int id) {
        return QueryBytes.header(id, 0x0130, 1, 0, 0, 1).name("Www.Elsewhere.Test").u16(1).u16(1)
                .u8(0).u16(41).u16(1232).u8(0).u8(0).u16(0x8000).u16(12)
                .u16(10).u16(8).raw(1, 2, 3, 4, 5, 6, 7, 8).bytes();
    }

    /** The query with its id replaced: what the upstream must receive. */
    private static byte[] withId(byte[] query, int id) {
        byte[] copy = query.clone();
        copy[0] = (byte) (id >>> 8);
        copy[1] = (byte) id;
        return copy;
    }

    @Test
    void theUpstreamGetsTheClientsQueryUnchangedButForTheId() throws Exception {
        try (TestUpstream answering = TestUpstream.answering(198, 51, 100, 9)) {
            Forwarder f = start(answering);
            byte[] query = digLikeQuery(0x5555);
            DnsReply r = f.forward(request(0x5555), query, Transport.UDP).block(Duration.ofSeconds(5));
            assertThat(r).isInstanceOf(DnsReply.Relayed.class);
            byte[] sent = answering.lastUdpQuery.get();
            assertThat(sent).isEqualTo(withId(query, Wire.id(sent)));
            f.close().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void overTcpTooTheUpstreamGetsTheClientsQueryUnchangedButForTheId() throws Exception {
        try (TestUpstream truncating = TestUpstream.truncating(198, 51, 100, 8)) {
            Forwarder f = start(truncating);
            byte[] query = digLikeQuery(0x6666);
            DnsReply r = f.forward(request(0x6666), query, Transport.TCP).block(Duration.ofSeconds(5));
            assertThat(r).isInstanceOf(DnsReply.Relayed.class);
            assertThat(((DnsReply.Relayed) r).message()).endsWith(198, 51, 100, 8);
            byte[] sent = truncating.lastTcpQuery.get();
            assertThat(sent).isEqualTo(withId(query, Wire.id(sent)));
            f.close().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void theUpstreamsAnswerIsMatchedByTheIdItWasSent() throws Exception {
        try (TestUpstream answering = TestUpstream.answering(198, 51, 100, 9)) {
            Forwarder f = start(answering);
            byte[] query = QueryBytes.query(0x4444, "www.elsewhere.test", 1);
            DnsReply r = f.forward(request(0x4444), query, Transport.UDP).block(Duration.ofSeconds(5));
            assertThat(r).isInstanceOf(DnsReply.Relayed.class);
            byte[] m = ((DnsReply.Relayed) r).message();
            // The relayed bytes carry the id the upstream was sent; the encoder restores the client's.
            assertThat(Wire.id(m)).isEqualTo(answering.lastId.get());
            assertThat(Wire.qdcount(m)).isEqualTo(1);
            assertThat(m).endsWith(198, 51, 100, 9);
            f.close().block(Duration.ofSeconds(5));
        }
    }
}
