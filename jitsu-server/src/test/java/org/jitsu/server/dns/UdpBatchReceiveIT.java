package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.TestAnswers.name;
import static org.jitsu.server.dns.TestAnswers.v4;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.net.Transports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Batched receive ({@code recvmmsg}) on a real epoll UDP socket with the real {@link UdpQueryHandler}:
 * datagrams from many clients queued before the socket is read arrive in one read burst, each is
 * answered to its own sender with its own id, an oversized and an unreadable datagram among them get
 * FORMERR or are dropped, and no buffer (the batch buffer's slices) leaks.
 */
@Tag("native")
@ExtendWith(NettyLeakExtension.class)
class UdpBatchReceiveIT {
    private static final int BATCH = 8;

    private final TestAnswers zone = new TestAnswers();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final InFlight inFlight = new InFlight();
    /** Datagrams per read burst (between two channelReadComplete), recorded on the event loop. */
    private final List<Integer> bursts = new CopyOnWriteArrayList<>();
    private final List<DatagramSocket> clients = new ArrayList<>();
    private EventLoopGroup group;
    private Channel server;
    private InetSocketAddress serverAddress;

    /** Counts datagrams per read burst in front of the query handler. */
    private final class BurstCounter extends ChannelInboundHandlerAdapter {
        private int inBurst;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inBurst++;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (inBurst > 0) {
                bursts.add(inBurst);
                inBurst = 0;
            }
            ctx.fireChannelReadComplete();
        }
    }

    @BeforeEach
    void setUp() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        for (int i = 0; i < 40; i++) {
            String n = "s" + i + ".example.test";
            zone.put(n, RecordType.A, Answer.Found.of(List.of(
                    new ResourceRecord.A(name(n), 60, v4("192.0.2." + (i + 1))))));
        }
        QueryResponder responder = new QueryResponder(zone.pipeline(), Optional.empty(), metrics, 1232);
        Transports epoll = new Transports(true);
        group = epoll.newGroup(1, "batch-test");
        Bootstrap b = new Bootstrap().group(group)
                .channelFactory(epoll.datagram(DnsServerExtension.V4))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new BurstCounter(), new UdpQueryHandler(responder, inFlight));
                    }
                });
        UdpBatchReceive.configure(b, BATCH, 64);
        server = b.bind(new InetSocketAddress(DnsServerExtension.V4, 0)).syncUninterruptibly().channel();
        serverAddress = (InetSocketAddress) server.localAddress();
    }

    @AfterEach
    void tearDown() {
        for (DatagramSocket c : clients) {
            c.close();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(inFlight.count()).isZero();
    }

    private DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0));
        s.setSoTimeout(5000);
        clients.add(s);
        return s;
    }

    /**
     * Holds the event loop in a task while {@code send} runs, so that what is sent meanwhile waits in the
     * socket and is read in the loop's next read burst. The task spins on a flag rather than blocking
     * (BlockHound forbids blocking calls, Thread.onSpinWait included, on an event loop); the loop stays busy only while the test sends.
     */
    private void whileNotReading(IoAction send) throws IOException {
        DatagramSocket primer = client();
        // A first answer shows the channel active and reading (it becomes active in a task after bind).
        ask(primer, 1);
        AtomicBoolean held = new AtomicBoolean();
        AtomicBoolean release = new AtomicBoolean();
        Future<?> hold = server.eventLoop().submit(() -> {
            held.set(true);
            while (!release.get()) { // a plain spin: BlockHound counts even Thread.onSpinWait as blocking
                continue;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!held.get()) {
            if (System.nanoTime() > deadline) {
                release.set(true);
                throw new AssertionError("the event loop did not run the holding task within 5 s");
            }
            Thread.onSpinWait();
        }
        bursts.clear();
        metrics.rcodes.clear();
        try {
            send.run(); // loopback delivers a datagram into the receiving socket within the sender's system call
        } finally {
            release.set(true);
        }
        hold.syncUninterruptibly();
    }

    private void ask(DatagramSocket client, int id) throws IOException {
        byte[] q = QueryBytes.query(id, "s0.example.test", RecordType.A);
        client.send(new DatagramPacket(q, q.length, serverAddress));
        assertThat(Wire.id(receive(client))).isEqualTo(id);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static byte[] receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        s.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    @Test
    void datagramsQueuedTogetherAreReadInOneBurstAndEachAnsweredToItsSender() throws IOException {
        int n = 20; // more than two batches: full, full, short
        List<DatagramSocket> senders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            senders.add(client());
        }
        whileNotReading(() -> {
            for (int i = 0; i < n; i++) {
                byte[] q = QueryBytes.query(1000 + i, "s" + i + ".example.test", RecordType.A);
                senders.get(i).send(new DatagramPacket(q, q.length, serverAddress));
            }
        });
        for (int i = 0; i < n; i++) {
            byte[] r = receive(senders.get(i));
            assertThat(Wire.id(r)).as("client %d gets its own reply", i).isEqualTo(1000 + i);
            assertThat(Wire.rcode(r)).isZero();
            assertThat(Wire.ancount(r)).isEqualTo(1);
            int rdata = r.length - 4; // the one A record's address is the last 4 bytes
            assertThat(Arrays.copyOfRange(r, rdata, r.length))
                    .isEqualTo(new byte[] {(byte) 192, 0, 2, (byte) (i + 1)});
        }
        assertThat(bursts).as("all %d datagrams in one read burst (%d per recvmmsg)", n, BATCH)
                .containsExactly(n);
    }

    @Test
    void anOversizedAndAnUnreadableDatagramAmongThemGetFormerrOrAreDropped() throws IOException {
        DatagramSocket before = client();
        DatagramSocket oversized = client();
        DatagramSocket garbage = client();
        DatagramSocket after = client();
        // A query whose OPT carries 2,900 bytes of padding (option 12): longer than a 2,048-byte slot,
        // so the socket hands over its first 2,048 bytes only and the OPT is cut short.
        byte[] big = QueryBytes.header(7002, 0x0100, 1, 0, 0, 1).name("s1.example.test").u16(RecordType.A).u16(1)
                .u8(0).u16(41).u16(1232).u32(0).u16(4 + 2900).u16(12).u16(2900).zeros(2900).bytes();
        assertThat(big.length).isGreaterThan(UdpBatchReceive.SLOT);
        byte[] q1 = QueryBytes.query(7001, "s0.example.test", RecordType.A);
        byte[] q4 = QueryBytes.query(7004, "s3.example.test", RecordType.A);
        whileNotReading(() -> {
            before.send(new DatagramPacket(q1, q1.length, serverAddress));
            oversized.send(new DatagramPacket(big, big.length, serverAddress));
            garbage.send(new DatagramPacket(new byte[] {1, 2, 3, 4, 5}, 5, serverAddress));
            after.send(new DatagramPacket(q4, q4.length, serverAddress));
        });
        byte[] r1 = receive(before);
        byte[] r4 = receive(after);
        assertThat(Wire.id(r1)).isEqualTo(7001);
        assertThat(Wire.rcode(r1)).isZero();
        assertThat(Wire.id(r4)).isEqualTo(7004);
        assertThat(Wire.rcode(r4)).isZero();
        byte[] r2 = receive(oversized);
        assertThat(Wire.id(r2)).isEqualTo(7002);
        assertThat(Wire.rcode(r2)).as("the cut query is malformed").isEqualTo(DnsResponseCode.FORMERR.intValue());
        assertThat(bursts).as("one read burst").containsExactly(4);
        // The unreadable one was handled in the same burst, before its replies were flushed.
        assertThat(metrics.dropped).hasSize(1);
        assertThat(metrics.malformed.get()).isEqualTo(2);
        assertThat(metrics.rcodes).containsExactlyInAnyOrder(0, 0, DnsResponseCode.FORMERR.intValue());
    }
}
