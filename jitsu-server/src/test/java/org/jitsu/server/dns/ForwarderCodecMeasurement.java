package org.jitsu.server.dns;

import com.sun.management.ThreadMXBean;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jitsu.server.dns.authority.DomainName;

/**
 * Measures what the forwarder's client side costs per forwarded query, with its own byte handling
 * and with netty-codec-dns's codecs: time and allocation of building the upstream query from the
 * client's packet and of checking the upstream's response and keeping it for the relay. Not a test
 * (no assertion on time); a timed loop run by hand, on a {@code FastThreadLocalThread} as an event
 * loop is (so that pooled buffers come from a thread cache), after a warm-up:
 *
 * <pre>{@code
 * mvn -o -q -B -pl jitsu-server -am -DskipTests test-compile package
 * java -Dio.netty.leakDetection.level=disabled -XX:+UseParallelGC -Xms512m -Xmx512m \
 *   -cp jitsu-server/target/test-classes:jitsu-server/target/classes:jitsu-xen/target/classes:$(cat jitsu-server/target/classpath.txt) \
 *   org.jitsu.server.dns.ForwarderCodecMeasurement
 * }</pre>
 *
 * <p>Variants, each one forwarded query (the packet as a dig client sends it: RD and AD, an OPT with
 * DO and a cookie; the answer as a resolver sends it: one A record and an OPT with both cookies):
 * <ul>
 *   <li>{@code heap}: what the forwarder did before it had {@link Forwarder#upstreamQuery}: the client's
 *       packet copied out (as {@link QueryResponder} keeps it for the forwarder), a copy of that with a
 *       fresh id wrapped in an unpooled heap buffer, then (as the epoll channel does on write) a copy
 *       into a pooled direct buffer; the response checked by {@link Forwarder#matches} and copied
 *       out.</li>
 *   <li>{@code direct}: what {@link Forwarder} does now: the same, the upstream query written once,
 *       straight into a pooled direct buffer ({@link Forwarder#upstreamQuery}).</li>
 *   <li>{@code codec}: the client's packet decoded by {@code DatagramDnsQueryDecoder} (to carry all of
 *       it: flags, OPT and its options), its records put into a {@code DatagramDnsQuery} with a fresh
 *       id, encoded by {@code DatagramDnsQueryEncoder}; the response decoded by
 *       {@code DatagramDnsResponseDecoder}, checked on the decoded message, and copied out (it cannot be
 *       re-encoded for the client: see the fidelity lines printed first).</li>
 * </ul>
 */
public final class ForwarderCodecMeasurement {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(loopback(), 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress(loopback(), 53);
    private static final InetSocketAddress UPSTREAM = new InetSocketAddress(loopback(), 5300);
    private static final int ID = 0x5a5a;
    private static final int WARMUP = 300_000;
    private static final int ROUNDS = 7;
    private static final int PER_ROUND = 500_000;

    private final byte[] clientPacket = clientPacket();
    private final byte[] upstreamResponse = upstreamResponse();
    private final WireRequest.Question question = new WireRequest.Question(
            Arrays.copyOfRange(clientPacket, 12, 12 + 20), DomainName.of("www.elsewhere.test"), 1, 1);
    private final ExposedQueryDecoder queryDecoder = new ExposedQueryDecoder();
    private final ExposedQueryEncoder queryEncoder = new ExposedQueryEncoder();
    private final ExposedResponseDecoder responseDecoder = new ExposedResponseDecoder();
    private final ChannelHandlerContext ctx;
    private final ByteBufAllocator alloc;
    private final List<Object> out = new ArrayList<>(1);
    /** The received datagrams, read again and again (their indices reset per query). */
    private final ByteBuf packet = Unpooled.wrappedBuffer(clientPacket);
    private final ByteBuf response = Unpooled.wrappedBuffer(upstreamResponse);
    private long sink;

    private ForwarderCodecMeasurement() {
        ChannelHandler[] handlers = {queryDecoder, queryEncoder, responseDecoder};
        EmbeddedChannel channel = new EmbeddedChannel(handlers);
        this.ctx = channel.pipeline().context(queryEncoder);
        this.alloc = ctx.alloc();
    }

    public static void main(String[] args) throws Exception {
        Thread t = new DefaultThreadFactory("measure").newThread(() -> {
            try {
                new ForwarderCodecMeasurement().run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        t.join();
    }

    private void run() throws Exception {
        fidelity();
        List<String> names = List.of("heap", "direct", "codec");
        for (String name : names) {
            for (int i = 0; i < WARMUP; i++) {
                once(name);
            }
        }
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String name : names) {
            double[] nanos = new double[ROUNDS];
            double[] bytes = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long a0 = threads.getCurrentThreadAllocatedBytes();
                long t0 = System.nanoTime();
                for (int i = 0; i < PER_ROUND; i++) {
                    once(name);
                }
                long t1 = System.nanoTime();
                long a1 = threads.getCurrentThreadAllocatedBytes();
                nanos[r] = (t1 - t0) / (double) PER_ROUND;
                bytes[r] = (a1 - a0) / (double) PER_ROUND;
            }
            Arrays.sort(nanos);
            Arrays.sort(bytes);
            System.out.printf("%-6s %8.0f ns/query (median of %d rounds of %,d; min %.0f, max %.0f)  %6.0f B/query%n",
                    name, nanos[ROUNDS / 2], ROUNDS, PER_ROUND, nanos[0], nanos[ROUNDS - 1], bytes[ROUNDS / 2]);
        }
        System.out.println("(sink " + sink + ")");
    }

    private void once(String variant) throws Exception {
        packet.setIndex(0, clientPacket.length);
        response.setIndex(0, upstreamResponse.length);
        if (variant.equals("heap")) {
            sink += heap(packet, response);
        } else if (variant.equals("direct")) {
            sink += direct(packet, response);
        } else {
            sink += codec(packet, response);
        }
    }

    /** The forwarder's own handling before {@link Forwarder#upstreamQuery}. */
    private int heap(ByteBuf packet, ByteBuf response) {
        byte[] raw = ByteBufUtil.getBytes(packet); // QueryResponder: kept for the forwarder
        ByteBuf heap = Unpooled.wrappedBuffer(withId(raw, ID));
        DatagramPacket sent = new DatagramPacket(heap, UPSTREAM);
        ByteBuf direct = alloc.directBuffer(heap.readableBytes()).writeBytes(heap); // the channel's copy on write
        heap.release();
        int n = direct.readableBytes() + (sent.recipient() == UPSTREAM ? 1 : 0);
        direct.release();
        if (!Forwarder.matches(response, ID, question)) {
            throw new IllegalStateException("no match");
        }
        byte[] relayed = ByteBufUtil.getBytes(response);
        return n + relayed.length;
    }

    /** The forwarder's own handling now. */
    private int direct(ByteBuf packet, ByteBuf response) {
        byte[] raw = ByteBufUtil.getBytes(packet); // QueryResponder: kept for the forwarder
        ByteBuf direct = Forwarder.upstreamQuery(alloc, raw, ID, false);
        DatagramPacket sent = new DatagramPacket(direct, UPSTREAM);
        int n = direct.readableBytes() + (sent.recipient() == UPSTREAM ? 1 : 0);
        direct.release();
        if (!Forwarder.matches(response, ID, question)) {
            throw new IllegalStateException("no match");
        }
        byte[] relayed = ByteBufUtil.getBytes(response);
        return n + relayed.length;
    }

    /** The same through netty-codec-dns. */
    private int codec(ByteBuf packet, ByteBuf response) throws Exception {
        out.clear();
        queryDecoder.decodeNow(ctx, new DatagramPacket(packet, SERVER, CLIENT), out);
        DnsQuery client = (DnsQuery) out.get(0);
        DatagramDnsQuery upstream = new DatagramDnsQuery(null, UPSTREAM, ID, client.opCode())
                .setRecursionDesired(client.isRecursionDesired()).setZ(client.z());
        for (DnsSection s : DnsSection.values()) {
            for (int i = 0, n = client.count(s); i < n; i++) {
                upstream.addRecord(s, ReferenceCountUtil.retain(client.recordAt(s, i)));
            }
        }
        client.release();
        out.clear();
        queryEncoder.encodeNow(ctx, upstream, out);
        DatagramPacket sent = (DatagramPacket) out.get(0);
        int n = sent.content().readableBytes();
        sent.release();
        DnsResponse r = responseDecoder.decodeNow(ctx, new DatagramPacket(response, SERVER, UPSTREAM));
        try {
            if (!matches(r)) {
                throw new IllegalStateException("no match");
            }
        } finally {
            r.release();
        }
        byte[] relayed = ByteBufUtil.getBytes(response);
        return n + relayed.length;
    }

    /** {@link Forwarder#matches} on a decoded response: id, QR, one question, its name, type, class. */
    private boolean matches(DnsResponse r) {
        if (r.id() != ID || r.count(DnsSection.QUESTION) != 1) {
            return false;
        }
        DnsQuestion q = r.recordAt(DnsSection.QUESTION);
        String expected = question.name().text();
        String got = q.name();
        return got.length() == expected.length() + 1 && got.regionMatches(true, 0, expected, 0, expected.length())
                && q.type().intValue() == question.qtype() && q.dnsClass() == question.qclass();
    }

    /** Prints whether each path relays the client's query and the upstream's answer unchanged. */
    private void fidelity() throws Exception {
        packet.setIndex(0, clientPacket.length);
        out.clear();
        queryDecoder.decodeNow(ctx, new DatagramPacket(packet, SERVER, CLIENT), out);
        DnsQuery client = (DnsQuery) out.get(0);
        System.out.println("client query flags 0x" + Integer.toHexString(Wire.flags(clientPacket))
                + ", decoded by netty-codec-dns: z = " + client.z() + ", RD = " + client.isRecursionDesired());
        DatagramDnsQuery upstream = new DatagramDnsQuery(null, UPSTREAM, ID, client.opCode())
                .setRecursionDesired(client.isRecursionDesired()).setZ(client.z());
        for (DnsSection s : DnsSection.values()) {
            for (int i = 0, n = client.count(s); i < n; i++) {
                upstream.addRecord(s, ReferenceCountUtil.retain(client.recordAt(s, i)));
            }
        }
        client.release();
        out.clear();
        queryEncoder.encodeNow(ctx, upstream, out);
        DatagramPacket sent = (DatagramPacket) out.get(0);
        byte[] codecQuery = ByteBufUtil.getBytes(sent.content());
        sent.release();
        ByteBuf ours = Forwarder.upstreamQuery(alloc, clientPacket, ID, false);
        byte[] bytesQuery = ByteBufUtil.getBytes(ours);
        ours.release();
        System.out.println("upstream query, ours:  " + ByteBufUtil.hexDump(bytesQuery));
        System.out.println("upstream query, codec: " + ByteBufUtil.hexDump(codecQuery)
                + (Arrays.equals(bytesQuery, codecQuery) ? "  (the same)" : "  (DIFFERENT)"));

        // Re-encoding an upstream NXDOMAIN (compressed SOA rdata) for the client through the library:
        byte[] nx = upstreamNxdomain();
        DnsResponse r = responseDecoder.decodeNow(ctx,
                new DatagramPacket(Unpooled.wrappedBuffer(nx), SERVER, UPSTREAM));
        EmbeddedChannel enc = new EmbeddedChannel(new DatagramDnsResponseEncoder());
        io.netty.handler.codec.dns.DatagramDnsResponse copy = new io.netty.handler.codec.dns.DatagramDnsResponse(
                SERVER, CLIENT, r.id(), r.opCode(), r.code());
        copy.setRecursionDesired(r.isRecursionDesired()).setRecursionAvailable(r.isRecursionAvailable())
                .setAuthoritativeAnswer(r.isAuthoritativeAnswer()).setZ(r.z());
        for (DnsSection s : DnsSection.values()) {
            for (int i = 0, n = r.count(s); i < n; i++) {
                copy.addRecord(s, ReferenceCountUtil.retain(r.recordAt(s, i)));
            }
        }
        r.release();
        enc.writeOutbound(copy);
        DatagramPacket reencoded = enc.readOutbound();
        byte[] again = ByteBufUtil.getBytes(reencoded.content());
        reencoded.release();
        enc.finishAndReleaseAll();
        System.out.println("upstream NXDOMAIN, as received: " + ByteBufUtil.hexDump(nx));
        System.out.println("upstream NXDOMAIN, re-encoded:  " + ByteBufUtil.hexDump(again)
                + (Arrays.equals(nx, again) ? "  (the same)" : "  (DIFFERENT: " + nx.length + " -> " + again.length
                + " bytes)"));
    }

    /** As dig sends it: id 0x1234, RD and AD, {@code www.elsewhere.test A}, OPT 1232 with DO and a cookie. */
    private static byte[] clientPacket() {
        return QueryBytes.header(0x1234, 0x0120, 1, 0, 0, 1).name("www.elsewhere.test").u16(1).u16(1)
                .u8(0).u16(41).u16(1232).u8(0).u8(0).u16(0x8000).u16(12)
                .u16(10).u16(8).raw(1, 2, 3, 4, 5, 6, 7, 8).bytes();
    }

    /** As a resolver answers it: the question, one A record (compressed owner), OPT with both cookies. */
    private static byte[] upstreamResponse() {
        QueryBytes b = QueryBytes.header(ID, 0x81a0, 1, 1, 0, 1).name("www.elsewhere.test").u16(1).u16(1)
                .raw(0xC0, 12).u16(1).u16(1).u32(60).u16(4).raw(198, 51, 100, 7)
                .u8(0).u16(41).u16(1232).u8(0).u8(0).u16(0x8000).u16(28).u16(10).u16(24)
                .raw(1, 2, 3, 4, 5, 6, 7, 8);
        return b.zeros(16).bytes();
    }

    /** NXDOMAIN with the zone's SOA in authority, its owner and rdata names compressed. */
    private static byte[] upstreamNxdomain() {
        QueryBytes b = QueryBytes.header(ID, 0x8183, 1, 0, 1, 0).name("nope.elsewhere.test").u16(1).u16(1);
        // owner: pointer to "elsewhere.test" at offset 12 + 5 = 17
        b.raw(0xC0, 17).u16(6).u16(1).u32(60);
        byte[] rdata = new QueryBytes().raw(3, 'n', 's', '1', 0xC0, 17).raw(4, 'h', 'o', 's', 't', 0xC0, 17)
                .u32(1).u32(7200).u32(900).u32(1209600).u32(60).bytes();
        b.u16(rdata.length).raw(toInts(rdata));
        return b.bytes();
    }

    /** The forwarder's copy with a new id, before {@link Forwarder#upstreamQuery}. */
    private static byte[] withId(byte[] query, int id) {
        byte[] copy = query.clone();
        copy[0] = (byte) (id >>> 8);
        copy[1] = (byte) id;
        return copy;
    }

    private static int[] toInts(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The library's handlers with their codec step callable directly, without a pipeline around it. */
    private static final class ExposedQueryDecoder extends DatagramDnsQueryDecoder {
        void decodeNow(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) throws Exception {
            decode(ctx, packet, out);
        }
    }

    private static final class ExposedQueryEncoder extends DatagramDnsQueryEncoder {
        @SuppressWarnings({"unchecked", "rawtypes"})
        void encodeNow(ChannelHandlerContext ctx, DatagramDnsQuery query, List<Object> out) throws Exception {
            encode(ctx, (AddressedEnvelope) query, out);
            query.release();
        }
    }

    private static final class ExposedResponseDecoder extends DatagramDnsResponseDecoder {
        DnsResponse decodeNow(ChannelHandlerContext ctx, DatagramPacket packet) throws Exception {
            return decodeResponse(ctx, packet);
        }
    }
}
