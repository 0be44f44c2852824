package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.net.Transports;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.scheduler.Schedulers;

/** The NIO transport (used where epoll is not available), with one UDP socket per address. */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class NioFallbackIT {

    @Test
    void answersOverUdpAndTcpOnBothFamilies() {
        TestAnswers zone = new TestAnswers().put("www.example.test", RecordType.A, Answer.Found.of(List.of(
                new ResourceRecord.A(name("www.example.test"), 300, v4("192.0.2.10")))));
        DnsServer server = NettyDnsServer.bind(DnsServerExtension.defaults(), Optional.empty(), zone.pipeline(),
                FrontEndMetrics.NOOP, Schedulers.parallel(), new Transports(false)).block(Duration.ofSeconds(10));
        assertThat(server).isNotNull();
        try {
            assertThat(((NettyDnsServer) server).udpSocketCount()).isEqualTo(2);
            int port = server.udpAddresses().get(0).getPort();
            assertThat(DnsTools.dig("127.0.0.1", port, "www.example.test", "A").stdout()).contains("192.0.2.10");
            assertThat(DnsTools.dig("::1", port, "www.example.test", "A").stdout()).contains("192.0.2.10");
            assertThat(DnsTools.kdig("::1", port, "+tcp", "www.example.test", "A").stdout()).contains("192.0.2.10");
            assertThat(DnsTools.kdig("127.0.0.1", port, "+tcp", "nope.example.test", "A").stdout())
                    .contains("NXDOMAIN");
        } finally {
            server.shutdown().block(Duration.ofSeconds(10));
        }
    }
}
