package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;
import static org.jitsu.server.dns.TestAnswers.v6;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Sinks;

/** The real server on 127.0.0.1 and ::1, queried by real {@code dig} and {@code kdig} and raw sockets. */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class DnsServerIT {
    private static final String WWW = "www.example.test";
    private static final TestAnswers ZONE = new TestAnswers()
            .put(WWW, RecordType.A, Answer.Found.of(List.of(
                    new ResourceRecord.A(name(WWW), 300, v4("192.0.2.10")),
                    new ResourceRecord.A(name(WWW), 300, v4("192.0.2.11")))))
            .put(WWW, RecordType.AAAA, Answer.Found.of(List.of(
                    new ResourceRecord.Aaaa(name(WWW), 300, v6("2001:db8::10")))))
            .put("broken.example.test", RecordType.A, new Answer.ServerFailure("boot failed"))
            .put("big.example.test", RecordType.A, Answer.Found.of(TestAnswers.manyA("big.example.test", 60)));
    private static final ColdName COLD = new ColdName();

    @RegisterExtension
    static final DnsServerExtension SERVER = DnsServerExtension.create(COLD.wrap(ZONE.pipeline()));

    /** A name whose answer waits until the test releases it, like a booting VM. */
    static final class ColdName {
        volatile Sinks.One<Answer> boot = Sinks.one();
        volatile CountDownLatch asked = new CountDownLatch(1);

        QueryPipeline wrap(QueryPipeline inner) {
            return (Query q) -> {
                if (q.name().text().equals("cold.example.test")) {
                    asked.countDown();
                    return boot.asMono();
                }
                return inner.resolve(q);
            };
        }
    }

    private static DnsTools.Result dig(String server, String... args) {
        return DnsTools.dig(server, SERVER.port(), args);
    }

    private static DnsTools.Result kdig(String server, String... args) {
        return DnsTools.kdig(server, SERVER.port(), args);
    }

    @Test
    void bindsUdpAndTcpOnBothFamiliesOnOnePort() {
        assertThat(SERVER.server().udpAddresses()).extracting(InetSocketAddress::getAddress)
                .containsExactlyInAnyOrder(DnsServerExtension.V4, DnsServerExtension.V6);
        assertThat(SERVER.server().tcpAddresses()).extracting(InetSocketAddress::getAddress)
                .containsExactlyInAnyOrder(DnsServerExtension.V4, DnsServerExtension.V6);
        assertThat(SERVER.server().udpAddresses()).extracting(InetSocketAddress::getPort)
                .containsOnly(SERVER.port());
        assertThat(SERVER.server().tcpAddresses()).extracting(InetSocketAddress::getPort)
                .containsOnly(SERVER.port());
        assertThat(SERVER.port()).isPositive();
        int perAddress = io.netty.channel.epoll.Epoll.isAvailable() ? 2 : 1; // 2 event loops in the settings
        assertThat(((NettyDnsServer) SERVER.server()).udpSocketCount()).isEqualTo(2 * perAddress);
    }

    @Test
    void digA() {
        DnsTools.Result r = dig("127.0.0.1", "WWW.Example.Test", "A");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("status: NOERROR").containsPattern("flags: qr aa rd;")
                .contains("WWW.Example.Test.\t\tIN\tA")
                .containsPattern("WWW\\.Example\\.Test\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.10")
                .containsPattern("WWW\\.Example\\.Test\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.11")
                .contains("udp: 1232");
    }

    @Test
    void kdigAaaa() {
        DnsTools.Result r = kdig("127.0.0.1", WWW, "AAAA");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("status: NOERROR").containsPattern("2001:db8::10");
    }

    @Test
    void nxdomainAndNodataCarryTheSoa() {
        DnsTools.Result nx = dig("127.0.0.1", "nope.example.test", "A");
        assertThat(nx.stdout()).contains("status: NXDOMAIN").contains("AUTHORITY: 1")
                .containsPattern("example\\.test\\.\\s+60\\s+IN\\s+SOA\\s+ns1\\.example\\.test\\. hostmaster\\.example\\.test\\. 2026112601");
        DnsTools.Result nodata = kdig("127.0.0.1", WWW, "MX");
        assertThat(nodata.stdout()).contains("status: NOERROR").contains("ANSWER: 0").contains("AUTHORITY: 1")
                .contains("SOA");
    }

    @Test
    void outOfZoneWithoutForwarderIsRefusedAndFailuresAreServfail() {
        assertThat(dig("127.0.0.1", "www.elsewhere.test", "A").stdout()).contains("status: REFUSED");
        assertThat(dig("127.0.0.1", "broken.example.test", "A").stdout()).contains("status: SERVFAIL");
        assertThat(dig("127.0.0.1", "-c", "CH", "version.bind", "TXT").stdout()).contains("status: REFUSED");
    }

    @Test
    void tcp() {
        DnsTools.Result r = dig("127.0.0.1", "+tcp", WWW, "A");
        assertThat(r.stdout()).contains("status: NOERROR").contains("ANSWER: 2").contains("(TCP)");
        DnsTools.Result k = kdig("127.0.0.1", "+tcp", WWW, "A", "nope.example.test", "A", WWW, "AAAA");
        assertThat(k.stdout()).contains("192.0.2.10").contains("NXDOMAIN").contains("2001:db8::10");
    }

    @Test
    void tcpPipeliningAnswersAsRepliesComplete() throws Exception {
        COLD.boot = Sinks.one();
        COLD.asked = new CountDownLatch(1);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(DnsServerExtension.V4, SERVER.port()), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(TcpFrames.frame(QueryBytes.query(1, "cold.example.test", RecordType.A)));
            out.write(TcpFrames.frame(QueryBytes.query(2, WWW, RecordType.A)));
            out.write(TcpFrames.frame(QueryBytes.query(3, "nope.example.test", RecordType.A)));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Integer> ids = new ArrayList<>();
            ids.add(Wire.id(TcpFrames.read(in)));
            ids.add(Wire.id(TcpFrames.read(in)));
            assertThat(ids).containsExactlyInAnyOrder(2, 3);
            assertThat(COLD.asked.await(5, TimeUnit.SECONDS)).isTrue();
            COLD.boot.tryEmitValue(Answer.Found.of(List.of(new ResourceRecord.A(name("cold.example.test"), 5,
                    v4("127.0.0.42")))));
            byte[] late = TcpFrames.read(in);
            assertThat(Wire.id(late)).isEqualTo(1);
            assertThat(late).endsWith(127, 0, 0, 42);
        }
    }

    @Test
    void aBootingNameIsAnsweredWhenReady() throws Exception {
        COLD.boot = Sinks.one();
        COLD.asked = new CountDownLatch(1);
        CompletableFuture<DnsTools.Result> dig = CompletableFuture.supplyAsync(
                () -> dig("127.0.0.1", "cold.example.test", "A"));
        assertThat(COLD.asked.await(10, TimeUnit.SECONDS)).isTrue();
        COLD.boot.tryEmitValue(Answer.Found.of(List.of(new ResourceRecord.A(name("cold.example.test"), 5,
                v4("127.0.0.42")))));
        assertThat(dig.get(20, TimeUnit.SECONDS).stdout()).containsPattern("cold\\.example\\.test\\.\\s+5\\s+IN\\s+A\\s+127\\.0\\.0\\.42");
    }

    @Test
    void edns() {
        assertThat(dig("127.0.0.1", "+bufsize=1232", WWW, "A").stdout()).contains("EDNS: version: 0")
                .contains("udp: 1232");
        assertThat(dig("127.0.0.1", "+bufsize=4096", "+dnssec", WWW, "A").stdout()).contains("flags: do;")
                .contains("udp: 1232");
        DnsTools.Result badvers = dig("127.0.0.1", "+edns=1", "+noednsnegotiation", WWW, "A");
        assertThat(badvers.stdout()).contains("status: BADVERS");
    }

    @Test
    void truncationSendsDigToTcp() {
        DnsTools.Result ignored = dig("127.0.0.1", "+noedns", "+ignore", "big.example.test", "A");
        assertThat(ignored.stdout()).containsPattern("flags: qr aa tc rd;").contains("ANSWER: 0");
        DnsTools.Result retried = dig("127.0.0.1", "+noedns", "big.example.test", "A");
        assertThat(retried.stdout()).contains("Truncated, retrying in TCP mode").contains("ANSWER: 60");
        DnsTools.Result edns = dig("127.0.0.1", "+bufsize=4096", "+ignore", "big.example.test", "A");
        assertThat(edns.stdout()).as("60 A records fit in 1232 bytes").doesNotContain(" tc ").contains("ANSWER: 60");
    }

    @Test
    void ipv6Listener() {
        assertThat(dig("::1", WWW, "AAAA").stdout()).contains("status: NOERROR").contains("2001:db8::10");
        assertThat(kdig("::1", "+tcp", WWW, "A").stdout()).contains("192.0.2.10");
    }

    @Test
    void survivesABurstOfGarbage() throws Exception {
        int before = SERVER.metrics().malformed.get();
        Random random = new Random(20261126L);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0))) {
            InetSocketAddress target = SERVER.udp(DnsServerExtension.V4);
            for (int i = 0; i < 3000; i++) {
                byte[] junk = new byte[random.nextInt(120)];
                random.nextBytes(junk);
                if (junk.length > 2 && random.nextBoolean()) {
                    junk[2] &= 0x07; // a query with opcode 0, so that it is parsed further
                }
                socket.send(new DatagramPacket(junk, junk.length, target));
            }
            // The kernel may drop part of a burst (full receive buffer): wait until the server has
            // worked through it, i.e. answers a probe from the same socket, before asking dig.
            assertThat(answersProbe(socket, target)).as("server answers again after the burst").isTrue();
        }
        DnsTools.Result r = dig("127.0.0.1", WWW, "A");
        assertThat(r.stdout()).contains("status: NOERROR").contains("192.0.2.10");
        assertThat(SERVER.metrics().malformed.get()).isGreaterThan(before + 100);
    }

    private static boolean answersProbe(DatagramSocket socket, InetSocketAddress target) throws IOException {
        socket.setSoTimeout(1000);
        byte[] probe = QueryBytes.query(0x7777, WWW, RecordType.A);
        byte[] buf = new byte[1500];
        for (int attempt = 0; attempt < 20; attempt++) {
            socket.send(new DatagramPacket(probe, probe.length, target));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < deadline) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(in);
                } catch (java.net.SocketTimeoutException e) {
                    break;
                }
                if (Wire.id(buf) == 0x7777 && Wire.rcode(buf) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void malformedQueryOverUdpGetsFormerr() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0))) {
            socket.setSoTimeout(5000);
            byte[] q = QueryBytes.header(0x4242, 0x0100, 1, 0, 0, 0).raw(0xC0, 12, 0, 1, 0, 1).bytes();
            socket.send(new DatagramPacket(q, q.length, SERVER.udp(DnsServerExtension.V4)));
            byte[] buf = new byte[512];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            socket.receive(in);
            assertThat(Wire.id(buf)).isEqualTo(0x4242);
            assertThat(Wire.rcode(buf)).isEqualTo(1);
        }
    }

    @Test
    void notImplementedOpcode() {
        DnsTools.Result r = dig("127.0.0.1", "+opcode=update", WWW, "A");
        assertThat(r.stdout()).contains("status: NOTIMP").contains("opcode: UPDATE");
    }
}
