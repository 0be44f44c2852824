package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.testing.DnsTools;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Binding, bad settings and shutdown of the real server. */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class LifecycleIT {

    private static DnsServer.Builder builder(ListenSettings listen) {
        return DnsServer.builder().listen(listen).forward(Optional.empty())
                .pipeline(q -> Mono.just(Answer.NOT_AUTHORITATIVE));
    }

    private static ListenSettings on(int port) {
        return new ListenSettings(List.of(DnsServerExtension.V4), port, 1, 0, 1232, Duration.ofSeconds(5), 8, ListenSettings.DEFAULT_UDP_RECEIVE_BATCH);
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
        ListenSettings bad = new ListenSettings(List.of(DnsServerExtension.V4), 0, 1, 0, 100, Duration.ofSeconds(5), 8, ListenSettings.DEFAULT_UDP_RECEIVE_BATCH);
        assertThatThrownBy(() -> builder(bad).bind().block(Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-udp-payload: 100 (expected: 512 to 65535)");
    }

    @Test
    void shutdownLetsAQueryInFlightFinish() throws Exception {
        Sinks.One<Answer> slow = Sinks.one();
        CountDownLatch asked = new CountDownLatch(1);
        DnsServer server = DnsServer.builder().listen(on(0)).forward(Optional.empty())
                .pipeline(q -> {
                    asked.countDown();
                    return slow.asMono();
                })
                .bind().block(Duration.ofSeconds(10));
        assertThat(server).isNotNull();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0))) {
            client.setSoTimeout(5000);
            byte[] q = QueryBytes.query(0x5151, "slow.test", 1);
            client.send(new DatagramPacket(q, q.length, server.udpAddresses().get(0)));
            assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> done = server.shutdown().toFuture();
            slow.tryEmitValue(new Answer.ServerFailure("late but answered"));
            byte[] buf = new byte[512];
            client.receive(new DatagramPacket(buf, buf.length));
            assertThat(Wire.id(buf)).isEqualTo(0x5151);
            assertThat(Wire.rcode(buf)).isEqualTo(2);
            done.get(10, TimeUnit.SECONDS);
        }
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
