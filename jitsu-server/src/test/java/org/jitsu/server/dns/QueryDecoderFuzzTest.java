package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.v4;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random and mutated packets (seeded) through the UDP handler: never an exception, every reply
 * carries the query's id and QR, every buffer is released.
 */
@Tag("fast")
@ExtendWith(NettyLeakExtension.class)
class QueryDecoderFuzzTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(v4("127.0.0.9"), 5353);
    private static final InetSocketAddress SERVER = new InetSocketAddress(v4("127.0.0.1"), 53);

    @Test
    void randomAndMutatedPackets() {
        RecordingMetrics metrics = new RecordingMetrics();
        InFlight inFlight = new InFlight();
        QueryResponder responder = new QueryResponder(new TestAnswers().pipeline(), Optional.empty(), metrics, 1232);
        EmbeddedChannel channel = new EmbeddedChannel(new UdpQueryHandler(responder, inFlight));
        Random random = new Random(20261126L);
        byte[] valid = QueryBytes.queryWithOpt(7, "www.example.test", 1, 1232, 0, false);
        int replies = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] p;
            if (i % 2 == 0) {
                p = new byte[random.nextInt(120)];
                random.nextBytes(p);
                if (p.length > 2 && random.nextBoolean()) {
                    p[2] &= 0x07;
                }
            } else {
                p = valid.clone();
                for (int k = random.nextInt(4); k >= 0; k--) {
                    p[12 + random.nextInt(p.length - 12)] = (byte) random.nextInt(256);
                }
                p[2] &= 0x7f;
            }
            ByteBuf in = channel.alloc().buffer(p.length).writeBytes(p);
            channel.writeInbound(new DatagramPacket(in, SERVER, CLIENT));
            channel.checkException();
            assertThat(in.refCnt()).isZero();
            DatagramPacket out = channel.readOutbound();
            if (out != null) {
                replies++;
                byte[] r = Wire.bytes(out);
                out.release();
                assertThat(Wire.id(r)).isEqualTo(Wire.id(p));
                assertThat(Wire.qr(r)).isTrue();
                assertThat(r.length).isLessThanOrEqualTo(512 + 11);
            }
        }
        assertThat(replies).isGreaterThan(5_000);
        assertThat(metrics.malformed.get()).isGreaterThan(1_000);
        assertThat(inFlight.count()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
