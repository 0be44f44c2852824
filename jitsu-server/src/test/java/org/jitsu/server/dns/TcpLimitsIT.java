package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** TCP connection cap and idle timeout on the real server. */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class TcpLimitsIT {
    private static final TestAnswers ZONE = new TestAnswers().put("www.example.test", RecordType.A,
            Answer.Found.of(List.of(new ResourceRecord.A(name("www.example.test"), 300, v4("192.0.2.10")))));

    @RegisterExtension
    static final DnsServerExtension CAPPED = DnsServerExtension.create(ZONE.pipeline())
            .listen(s -> new ListenSettings(s.addresses(), 0, 1, 0, 1232, Duration.ofSeconds(30), 2, ListenSettings.DEFAULT_UDP_RECEIVE_BATCH));

    @RegisterExtension
    static final DnsServerExtension IDLE = DnsServerExtension.create(ZONE.pipeline())
            .listen(s -> new ListenSettings(s.addresses(), 0, 1, 0, 1232, Duration.ofMillis(300), 10, ListenSettings.DEFAULT_UDP_RECEIVE_BATCH));

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(DnsServerExtension.V4, port), 5000);
        s.setSoTimeout(5000);
        return s;
    }

    private static byte[] ask(Socket s, int id) throws IOException {
        s.getOutputStream().write(TcpFrames.frame(QueryBytes.query(id, "www.example.test", RecordType.A)));
        return TcpFrames.read(new DataInputStream(s.getInputStream()));
    }

    /** True when the server closed the connection (EOF or reset) within the socket timeout. */
    private static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnce() throws IOException {
        try (Socket a = connect(CAPPED.port()); Socket b = connect(CAPPED.port())) {
            assertThat(Wire.id(ask(a, 1))).isEqualTo(1);
            assertThat(Wire.id(ask(b, 2))).isEqualTo(2);
            assertThat(CAPPED.metrics().tcpOpen.get()).isEqualTo(2);
            try (Socket c = connect(CAPPED.port())) {
                assertThat(closedByServer(c)).isTrue();
            }
            assertThat(CAPPED.metrics().dropped).contains("tcp connection limit");
            assertThat(Wire.id(ask(a, 3))).as("the others live on").isEqualTo(3);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        try (Socket s = connect(IDLE.port())) {
            assertThat(Wire.id(ask(s, 7))).isEqualTo(7);
            assertThat(closedByServer(s)).isTrue();
        }
    }

    @Test
    void aZeroLengthFrameClosesTheConnection() throws IOException {
        try (Socket s = connect(IDLE.port())) {
            s.getOutputStream().write(new byte[] {0, 0});
            assertThat(closedByServer(s)).isTrue();
        }
    }
}
