package org.jitsu.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jitsu.server.dns.UpstreamWire;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the forwarder's client side costs per forwarded query, with its own byte handling and with
 * netty-codec-dns's codecs, in one run: build the upstream query from the client's packet, check the
 * upstream's response and keep it for the relay to the client. The client's packet is as dig sends
 * it (RD and AD, an OPT with DO and a cookie), the response as a resolver sends it (one A record and
 * an OPT with both cookies). Buffers come from the pooled allocator with a thread cache, as on an
 * event loop.
 * <ul>
 *   <li>{@code bytes}: what the forwarder does ({@link UpstreamWire}): the client's packet copied out
 *       (as the front end keeps it for the forwarder), written once with the new id straight into a
 *       pooled direct buffer; the response checked in place and copied out.</li>
 *   <li>{@code bytesViaHeap}: the same with the upstream query built in a heap buffer first and then
 *       copied into a direct one, as the socket's write would do with a heap buffer.</li>
 *   <li>{@code codecs}: the client's packet decoded by {@code DatagramDnsQueryDecoder} (to carry all
 *       of it), its records put into a {@code DatagramDnsQuery} with the new id and encoded by
 *       {@code DatagramDnsQueryEncoder}; the response decoded by {@code DatagramDnsResponseDecoder},
 *       checked on the decoded message, and copied out.</li>
 * </ul>
 * The set-up prints, once, whether the library's path relays the client's query and an upstream's
 * NXDOMAIN unchanged (it does not: AD and CD are dropped, name compression is undone).
 *
 * <pre>{@code ./jitsu bench --jmh ForwarderWireBenchmark}</pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms512m", "-Xmx512m", "-Djitsu.log.level=WARN",
        "-Dio.netty.allocator.useCacheForAllThreads=true", "-Dio.netty.leakDetection.level=disabled"})
public class ForwarderWireBenchmark extends JitsuBenchmark {
    private static final InetSocketAddress CLIENT = new InetSocketAddress(Fixtures.CLIENT.getAddress(), 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress(Fixtures.CLIENT.getAddress(), 53);
    private static final InetSocketAddress UPSTREAM = new InetSocketAddress(Fixtures.CLIENT.getAddress(), 5300);
    private static final String NAME = "www.elsewhere.test";
    private static final int ID = 0x5a5a;

    private final byte[] clientPacket = clientPacket();
    private final byte[] upstreamResponse = upstreamResponse();
    private final byte[] nameWire = Arrays.copyOfRange(clientPacket, 12, 12 + NAME.length() + 2);
    private final QueryDecoder queryDecoder = new QueryDecoder();
    private final QueryEncoder queryEncoder = new QueryEncoder();
    private final ResponseDecoder responseDecoder = new ResponseDecoder();
    private final List<Object> out = new ArrayList<>(1);
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private ByteBufAllocator alloc;
    /** The received datagrams, read again and again (their indices reset per operation). */
    private ByteBuf packet;
    private ByteBuf response;

    @Setup
    public void setUp() throws Exception {
        channel = new EmbeddedChannel(queryDecoder, queryEncoder, responseDecoder);
        ctx = channel.pipeline().context(queryEncoder);
        alloc = ctx.alloc();
        packet = Unpooled.wrappedBuffer(clientPacket);
        response = Unpooled.wrappedBuffer(upstreamResponse);
        printFidelity();
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int bytes() {
        reset();
        byte[] raw = ByteBufUtil.getBytes(packet);
        ByteBuf direct = UpstreamWire.query(alloc, raw, ID, false);
        int n = direct.readableBytes();
        direct.release();
        return n + relay();
    }

    @Benchmark
    public int bytesViaHeap() {
        reset();
        byte[] raw = ByteBufUtil.getBytes(packet);
        byte[] copy = raw.clone();
        copy[0] = (byte) (ID >>> 8);
        copy[1] = (byte) ID;
        ByteBuf heap = Unpooled.wrappedBuffer(copy);
        ByteBuf direct = alloc.directBuffer(heap.readableBytes()).writeBytes(heap);
        heap.release();
        int n = direct.readableBytes();
        direct.release();
        return n + relay();
    }

    @Benchmark
    public int codecs() throws Exception {
        reset();
        ByteBuf encoded = libraryUpstreamQuery();
        int n = encoded.readableBytes();
        encoded.release();
        DnsResponse r = responseDecoder.decodeNow(ctx, new DatagramPacket(response, SERVER, UPSTREAM));
        try {
            if (!answers(r)) {
                throw new IllegalStateException("the response does not answer the query");
            }
        } finally {
            r.release();
        }
        return n + ByteBufUtil.getBytes(response).length;
    }

    private void reset() {
        packet.setIndex(0, clientPacket.length);
        response.setIndex(0, upstreamResponse.length);
    }

    /** The forwarder's check of the response, and the copy kept for the client. */
    private int relay() {
        if (!UpstreamWire.answers(response, ID, nameWire, 1, 1)) {
            throw new IllegalStateException("the response does not answer the query");
        }
        return ByteBufUtil.getBytes(response).length;
    }

    /** The client's packet through the library's query decoder and encoder, with the new id. */
    private ByteBuf libraryUpstreamQuery() throws Exception {
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
        ByteBuf content = sent.content().retain();
        sent.release();
        return content;
    }

    /** The forwarder's check on a decoded response: id, one question, its name, type and class. */
    private static boolean answers(DnsResponse r) {
        if (r.id() != ID || r.count(DnsSection.QUESTION) != 1) {
            return false;
        }
        DnsQuestion q = r.recordAt(DnsSection.QUESTION);
        String got = q.name();
        return got.length() == NAME.length() + 1 && got.regionMatches(true, 0, NAME, 0, NAME.length())
                && q.type().intValue() == 1 && q.dnsClass() == 1;
    }

    private void printFidelity() throws Exception {
        reset();
        ByteBuf library = libraryUpstreamQuery();
        byte[] viaLibrary = ByteBufUtil.getBytes(library);
        library.release();
        ByteBuf own = UpstreamWire.query(alloc, clientPacket, ID, false);
        byte[] viaBytes = ByteBufUtil.getBytes(own);
        own.release();
        System.err.printf("# client flags 0x%04x; upstream query, forwarder: %s%n",
                ((clientPacket[2] & 0xff) << 8) | (clientPacket[3] & 0xff), ByteBufUtil.hexDump(viaBytes));
        System.err.printf("#                          upstream query, codecs:    %s (%s)%n",
                ByteBufUtil.hexDump(viaLibrary), Arrays.equals(viaBytes, viaLibrary) ? "the same" : "DIFFERENT");

        byte[] nx = upstreamNxdomain();
        DnsResponse r = responseDecoder.decodeNow(ctx, new DatagramPacket(Unpooled.wrappedBuffer(nx), SERVER, UPSTREAM));
        DatagramDnsResponse copy = new DatagramDnsResponse(SERVER, CLIENT, r.id(), r.opCode(), r.code());
        copy.setRecursionDesired(r.isRecursionDesired()).setRecursionAvailable(r.isRecursionAvailable())
                .setAuthoritativeAnswer(r.isAuthoritativeAnswer()).setZ(r.z());
        for (DnsSection s : DnsSection.values()) {
            for (int i = 0, n = r.count(s); i < n; i++) {
                copy.addRecord(s, ReferenceCountUtil.retain(r.recordAt(s, i)));
            }
        }
        r.release();
        EmbeddedChannel encoder = new EmbeddedChannel(new DatagramDnsResponseEncoder());
        encoder.writeOutbound(copy);
        DatagramPacket reencoded = encoder.readOutbound();
        byte[] again = ByteBufUtil.getBytes(reencoded.content());
        reencoded.release();
        encoder.finishAndReleaseAll();
        System.err.printf("# an upstream NXDOMAIN re-encoded by the codecs for the client: %d -> %d bytes (%s)%n",
                nx.length, again.length, Arrays.equals(nx, again) ? "the same" : "DIFFERENT");
    }

    /** As dig sends it: id 0x1234, RD and AD, {@code www.elsewhere.test A}, OPT 1232 with DO and a cookie. */
    private static byte[] clientPacket() {
        ByteBuf b = header(0x1234, 0x0120, 1, 0, 0, 1);
        name(b, NAME).writeShort(1).writeShort(1);
        b.writeByte(0).writeShort(41).writeShort(1232).writeByte(0).writeByte(0).writeShort(0x8000).writeShort(12);
        b.writeShort(10).writeShort(8).writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        return ByteBufUtil.getBytes(b);
    }

    /** As a resolver answers it: the question, one A record (compressed owner), OPT with both cookies. */
    private static byte[] upstreamResponse() {
        ByteBuf b = header(ID, 0x81a0, 1, 1, 0, 1);
        name(b, NAME).writeShort(1).writeShort(1);
        b.writeShort(0xC00C).writeShort(1).writeShort(1).writeInt(60).writeShort(4).writeBytes(new byte[] {(byte) 198, 51, 100, 7});
        b.writeByte(0).writeShort(41).writeShort(1232).writeByte(0).writeByte(0).writeShort(0x8000).writeShort(28);
        b.writeShort(10).writeShort(24).writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).writeZero(16);
        return ByteBufUtil.getBytes(b);
    }

    /** NXDOMAIN with the zone's SOA in authority, its owner and rdata names compressed. */
    private static byte[] upstreamNxdomain() {
        ByteBuf b = header(ID, 0x8183, 1, 0, 1, 0);
        name(b, "nope.elsewhere.test").writeShort(1).writeShort(1);
        int zone = 12 + 5; // "elsewhere.test" after the label "nope"
        b.writeShort(0xC000 | zone).writeShort(6).writeShort(1).writeInt(60);
        ByteBuf rdata = Unpooled.buffer();
        rdata.writeByte(3).writeBytes("ns1".getBytes(StandardCharsets.US_ASCII)).writeShort(0xC000 | zone);
        rdata.writeByte(4).writeBytes("host".getBytes(StandardCharsets.US_ASCII)).writeShort(0xC000 | zone);
        rdata.writeInt(1).writeInt(7200).writeInt(900).writeInt(1209600).writeInt(60);
        b.writeShort(rdata.readableBytes()).writeBytes(rdata);
        return ByteBufUtil.getBytes(b);
    }

    private static ByteBuf header(int id, int flags, int qd, int an, int ns, int ar) {
        return Unpooled.buffer().writeShort(id).writeShort(flags).writeShort(qd).writeShort(an).writeShort(ns).writeShort(ar);
    }

    private static ByteBuf name(ByteBuf b, String name) {
        for (String label : name.split("\\.")) {
            b.writeByte(label.length()).writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        return b.writeByte(0);
    }

    /** The library's handlers with their codec step callable directly, without a pipeline around it. */
    private static final class QueryDecoder extends DatagramDnsQueryDecoder {
        void decodeNow(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) throws Exception {
            decode(ctx, packet, out);
        }
    }

    private static final class QueryEncoder extends DatagramDnsQueryEncoder {
        @SuppressWarnings({"unchecked", "rawtypes"})
        void encodeNow(ChannelHandlerContext ctx, DatagramDnsQuery query, List<Object> out) throws Exception {
            encode(ctx, (AddressedEnvelope) query, out);
            query.release();
        }
    }

    private static final class ResponseDecoder extends DatagramDnsResponseDecoder {
        DnsResponse decodeNow(ChannelHandlerContext ctx, DatagramPacket packet) throws Exception {
            return decodeResponse(ctx, packet);
        }
    }
}
