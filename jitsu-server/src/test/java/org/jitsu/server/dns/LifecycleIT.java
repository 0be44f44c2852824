package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.pipeline.Answer;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/** Binding, bad settings and shutdown of the real server. */
@ExtendWith(NettyLeakExtension.class)
class LifecycleIT {

    private static DnsServer.Builder builder(ListenSettings listen) {
        return DnsServer.builder().listen(listen).forward(Optional.empty())
                .pipeline(q -> Mono.just(Answer.NOT_AUTHORITATIVE));
    }

    private static ListenSettings on(int port) {
        return new ListenSettings(List.of(DnsServerExtension.V4), port, 1, 0, 1232, Duration.ofSeconds(5), 8);
    }

    @Test
    void aTakenPortFailsTheBindAndLeavesNothingBound() throws Exception {
        int port;
        try (ServerSocket blocker = new ServerSocket(0, 1, DnsServerExtension.V4)) {
            port = blocker.getLocalPort();
            assertThatThrownBy(() -> builder(on(port)).bind().block(Duration.ofSeconds(10)))
                    .hasMessageContaining("Address already in use");
            // The UDP socket bound before the TCP bind failed must be closed again.
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, port))) {
                assertThat(probe.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void badSettingsAreRejectedWithTheKeyAndValue() {
        ListenSettings bad = new ListenSettings(List.of(DnsServerExtension.V4), 0, 1, 0, 100, Duration.ofSeconds(5), 8);
        assertThatThrownBy(() -> builder(bad).bind().block(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-udp-payload: 100 (expected: 512 to 65535)");
    }

    @Test
    void shutdownReleasesThePortsAndStopsAnswering() throws Exception {
        DnsServer server = builder(on(0)).bind().block(Duration.ofSeconds(10));
        assertThat(server).isNotNull();
        int port = server.udpAddresses().get(0).getPort();
        assertThat(DnsTools.dig("127.0.0.1", port, "x.test", "A").stdout()).contains("status: REFUSED");
        server.shutdown().block(Duration.ofSeconds(10));
        server.shutdown().block(Duration.ofSeconds(10)); // idempotent
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, port));
             ServerSocket tcp = new ServerSocket(port, 1, DnsServerExtension.V4)) {
            assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort());
        }
    }
}
