package org.jitsu.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsRecordType;
import java.time.Duration;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.FrontEndMetrics;
import org.jitsu.server.dns.MessageResponder;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.RecordType;
import org.jitsu.server.dns.authority.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Mono;

/**
 * The DNS front end without sockets, with the real codec and pipeline, through its public
 * {@link MessageResponder}: {@code decode} parses a query packet; {@code encode} writes a prebuilt A
 * answer into a buffer; {@code warmQuery} is the whole warm path as the UDP handler runs it (decode,
 * pipeline, reply, encode with metrics, release). The query is {@code s3.bench.test A}, with an EDNS
 * OPT record when {@code edns} is true (as dig and most resolvers send) or without (as dnsperf sends
 * by default). {@code buffers} says where reply buffers come from ({@code reused}: as on an event
 * loop; {@code pooled}: the pooled allocator off an event loop, which adds a buffer object per reply).
 *
 * <pre>{@code ./jitsu bench --jmh FrontEndBenchmark -p buffers=reused}</pre>
 */
public class FrontEndBenchmark extends JitsuBenchmark {
    @Param({"false", "true"})
    public boolean edns;

    private OnDemandPipeline pipeline;
    private MessageResponder responder;
    private ByteBuf packet;
    private MessageResponder.Reply reply;
    private final Capture<MessageResponder.Reply> capture = new Capture<>();
    /**
     * Where the reply buffers come from: {@code reused}, one buffer handed out again and again (what
     * an event loop's pooled allocator costs in allocation: the buffer object is recycled there; see
     * {@link ReusedBufferAllocator}), or {@code pooled}, Netty's pooled allocator called from the JMH
     * thread, which is no event loop and so gets a fresh buffer object per reply.
     */
    @Param({"reused", "pooled"})
    public String buffers;

    private ByteBufAllocator alloc;
    private ReusedBufferAllocator reused;

    @Setup
    public void setUp() {
        reused = new ReusedBufferAllocator();
        alloc = buffers.equals("pooled") ? PooledByteBufAllocator.DEFAULT : reused;
        pipeline = Fixtures.pipeline(ScriptedBackend.named("instant"), 10, BootLimits.DEFAULT);
        pipeline.resolve(new Query(Fixtures.name(3), RecordType.A, Fixtures.CLIENT, Transport.UDP))
                .block(Duration.ofSeconds(10)); // boots s3: warm from now on
        responder = MessageResponder.create(pipeline, FrontEndMetrics.NOOP, 1232);
        packet = Unpooled.directBuffer(64).writeBytes(queryBytes(edns));
        // the name is in the question cache from now on, as in a running server
        responder.respond(packet, Fixtures.CLIENT, Transport.UDP).subscribe(capture);
        reply = capture.take();
        ByteBuf out = responder.encodeUdp(reused, reply, 0L);
        int rcode = out.getUnsignedShort(2) & 0xF;
        int ancount = out.getUnsignedShort(6);
        out.release();
        if (rcode != 0 || ancount != 1) {
            throw new IllegalStateException("warm query not answered: rcode " + rcode + ", " + ancount + " answers");
        }
    }

    @TearDown
    public void tearDown() {
        packet.release();
        reused.close();
        pipeline.close();
    }

    /** Parses the query packet (header, question, OPT), with a warm question cache as the responder's. */
    @Benchmark
    public MessageResponder.Parsed decode() {
        packet.readerIndex(0);
        return responder.parse(packet);
    }

    /** Encodes the prebuilt warm answer and releases the buffer. */
    @Benchmark
    public int encode() {
        ByteBuf out = responder.encodeUdp(alloc, reply, 0L);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /**
     * The warm path as the UDP handler runs it, minus the socket: packet in, answer bytes out. Like the
     * handler, takes a reply that is already there without subscribing ({@link MessageResponder#now}).
     */
    @Benchmark
    public int warmQuery() {
        long start = System.nanoTime();
        packet.readerIndex(0);
        Mono<MessageResponder.Reply> replied = responder.respond(packet, Fixtures.CLIENT, Transport.UDP);
        MessageResponder.Reply r = MessageResponder.now(replied).orElseThrow(); // warm: the handler does the same
        ByteBuf out = responder.encodeUdp(alloc, r, start);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    /** The wire form of {@code s3.bench.test A} (id 0x1234, RD), with or without an OPT record. */
    static byte[] queryBytes(boolean edns) {
        ByteBuf b = Unpooled.buffer();
        b.writeShort(0x1234).writeShort(0x0100).writeShort(1).writeShort(0).writeShort(0).writeShort(edns ? 1 : 0);
        for (String label : "s3.bench.test".split("\\.")) {
            b.writeByte(label.length());
            b.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        b.writeByte(0).writeShort(RecordType.A).writeShort(1);
        if (edns) {
            b.writeByte(0).writeShort(DnsRecordType.OPT.intValue()).writeShort(1232).writeInt(0).writeShort(0);
        }
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
