package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Forwarding of names outside our zone to upstreams the test runs itself on 127.0.0.1 (never a real
 * resolver): in-order fallback on timeout, SERVFAIL when all fail, REFUSED for clients not allowed,
 * TCP clients, and the TC-then-TCP path.
 */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class ForwardingIT {
    private static final TestUpstream SILENT = TestUpstream.silent();
    private static final TestUpstream ANSWERING = TestUpstream.answering(198, 51, 100, 7);
    private static final TestUpstream TRUNCATING = TestUpstream.truncating(198, 51, 100, 8);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8").orElseThrow(),
            Cidr.parse("::1/128").orElseThrow());
    private static final TestAnswers ZONE = new TestAnswers().put("www.example.test", RecordType.A,
            Answer.Found.of(List.of(new ResourceRecord.A(name("www.example.test"), 300, v4("192.0.2.10")))));

    @RegisterExtension
    static final DnsServerExtension FALLBACK = DnsServerExtension.create(ZONE.pipeline()).forward(() -> Optional.of(
            new ForwardSettings(List.of(SILENT.address(), ANSWERING.address()), TIMEOUT, LOOPBACK)));

    @RegisterExtension
    static final DnsServerExtension ALL_FAIL = DnsServerExtension.create(ZONE.pipeline()).forward(() -> Optional.of(
            new ForwardSettings(List.of(SILENT.address()), TIMEOUT, LOOPBACK)));

    @RegisterExtension
    static final DnsServerExtension NOT_ALLOWED = DnsServerExtension.create(ZONE.pipeline()).forward(() ->
            Optional.of(new ForwardSettings(List.of(ANSWERING.address()), TIMEOUT,
                    List.of(Cidr.parse("10.0.0.0/8").orElseThrow()))));

    @RegisterExtension
    static final DnsServerExtension VIA_TCP = DnsServerExtension.create(ZONE.pipeline()).forward(() -> Optional.of(
            new ForwardSettings(List.of(TRUNCATING.address()), Duration.ofSeconds(2), LOOPBACK)));

    @AfterAll
    static void stopUpstreams() throws Exception {
        SILENT.close();
        ANSWERING.close();
        TRUNCATING.close();
    }

    @Test
    void fallsBackToTheNextUpstreamOnTimeout() {
        int silentBefore = SILENT.queries.get();
        DnsTools.Result r = DnsTools.dig("127.0.0.1", FALLBACK.port(), "www.elsewhere.test", "A");
        assertThat(r.stdout()).contains("status: NOERROR").containsPattern("flags: qr rd ra;")
                .containsPattern("www\\.elsewhere\\.test\\.\\s+60\\s+IN\\s+A\\s+198\\.51\\.100\\.7");
        assertThat(SILENT.queries.get()).isGreaterThan(silentBefore);
        assertThat(FALLBACK.metrics().forwardedOk.get()).isPositive();
    }

    @Test
    void ourZoneIsStillAnsweredAuthoritatively() {
        assertThat(DnsTools.dig("127.0.0.1", FALLBACK.port(), "www.example.test", "A").stdout())
                .containsPattern("flags: qr aa rd;").contains("192.0.2.10");
    }

    @Test
    void restoresTheClientsId() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0))) {
            socket.setSoTimeout(5000);
            byte[] q = QueryBytes.query(0x1234, "Mixed.Elsewhere.Test", RecordType.A);
            socket.send(new DatagramPacket(q, q.length, FALLBACK.udp(DnsServerExtension.V4)));
            byte[] buf = new byte[512];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            socket.receive(in);
            assertThat(Wire.id(buf)).isEqualTo(0x1234);
            assertThat(Wire.ancount(buf)).isEqualTo(1);
        }
    }

    @Test
    void tcpClientsAreForwardedToo() {
        DnsTools.Result r = DnsTools.kdig("::1", FALLBACK.port(), "+tcp", "www.elsewhere.test", "A");
        assertThat(r.stdout()).contains("NOERROR").contains("198.51.100.7");
    }

    @Test
    void allUpstreamsTimingOutGivesServfail() {
        DnsTools.Result r = DnsTools.dig("127.0.0.1", ALL_FAIL.port(), "www.elsewhere.test", "A");
        assertThat(r.stdout()).contains("status: SERVFAIL");
        assertThat(ALL_FAIL.metrics().forwardedFailed.get()).isPositive();
    }

    @Test
    void clientsOutsideTheAllowedNetworksAreRefused() {
        int before = ANSWERING.queries.get();
        DnsTools.Result r = DnsTools.dig("127.0.0.1", NOT_ALLOWED.port(), "www.elsewhere.test", "A");
        assertThat(r.stdout()).contains("status: REFUSED");
        assertThat(ANSWERING.queries.get()).isEqualTo(before);
    }

    @Test
    void truncatedUpstreamAnswersAreRetriedOverTcpForTcpClients() {
        DnsTools.Result udp = DnsTools.dig("127.0.0.1", VIA_TCP.port(), "+ignore", "www.elsewhere.test", "A");
        assertThat(udp.stdout()).as("UDP client gets the TC answer relayed").containsPattern("flags: qr tc rd ra;");
        DnsTools.Result tcp = DnsTools.dig("127.0.0.1", VIA_TCP.port(), "+tcp", "www.elsewhere.test", "A");
        assertThat(tcp.stdout()).contains("status: NOERROR").contains("198.51.100.8");
        assertThat(TRUNCATING.tcpQueries.get()).isPositive();
    }
}
