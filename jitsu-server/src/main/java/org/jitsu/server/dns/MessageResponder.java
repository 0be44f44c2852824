package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.server.dns.authority.Transport;
import reactor.core.publisher.Mono;

/**
 * The front end's message path without sockets: one DNS message in, its reply out, through the same
 * code the UDP and TCP listeners run (decoder and question cache, pipeline call, mapping of the
 * {@link org.jitsu.server.dns.authority.Answer}, encoder and metrics). For running the front end
 * behind a transport of one's own, and for benchmarks and fuzzers outside this package. There is no
 * forwarder: names outside every zone are REFUSED.
 *
 * <p>What passes between the calls is opaque ({@link Parsed}, {@link Reply}); the calls add no
 * allocation of their own to the listeners' path. Thread-safe as the listeners are: the decoder's
 * and encoder's scratch state is per thread.
 *
 * <pre>{@code
 * MessageResponder responder = MessageResponder.create(pipeline, FrontEndMetrics.NOOP, 1232);
 * Mono<MessageResponder.Reply> reply = responder.respond(query, client, Transport.UDP);
 * ByteBuf out = responder.encodeUdp(alloc, reply.block(), System.nanoTime());
 * }</pre>
 */
public final class MessageResponder {

    /** A DNS message as the front end's decoder read it. */
    public sealed interface Parsed permits ParseResult {
    }

    /** A reply waiting to be encoded. */
    public sealed interface Reply permits DnsReply {
    }

    private final QueryResponder responder;

    private MessageResponder(QueryResponder responder) {
        this.responder = responder;
    }

    /**
     * A responder answering from {@code pipeline}.
     *
     * @param maxUdpPayload the UDP payload size advertised in our OPT and the cap on a client's, as
     *     {@code listen.max-udp-payload}
     * @throws IllegalArgumentException unless {@code maxUdpPayload} is 512 to 65535
     */
    public static MessageResponder create(QueryPipeline pipeline, FrontEndMetrics metrics, int maxUdpPayload) {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(metrics, "metrics");
        if (maxUdpPayload < 512 || maxUdpPayload > 65535) {
            throw new IllegalArgumentException("max-udp-payload: " + maxUdpPayload + " (expected: 512 to 65535)");
        }
        return new MessageResponder(new QueryResponder(pipeline, Optional.empty(), metrics, maxUdpPayload));
    }

    /**
     * Parses {@code message} (its readable bytes) as {@link #respond} does, through the same question
     * cache; neither moves its indices nor releases it.
     */
    public Parsed parse(ByteBuf message) {
        return responder.decode(message);
    }

    /**
     * The reply to {@code message} (its readable bytes, one DNS message), or an empty {@code Mono} when
     * it gets none (a response, an unreadable header). Never errors: a failing pipeline gives SERVFAIL.
     * A warm name's answer and the decoder's rejections (FORMERR, NOTIMP, …) are there at once:
     * {@link #now} takes them without subscribing. Reads {@code message} only during the call and does
     * not release it.
     */
    @SuppressWarnings("unchecked") // a Mono only emits: one of DnsReply is one of Reply
    public Mono<Reply> respond(ByteBuf message, InetSocketAddress client, Transport transport) {
        return (Mono<Reply>) (Mono<? extends Reply>) responder.respond(message, client, transport);
    }

    /** The reply in {@code reply} when it is already there, without subscribing; empty otherwise. */
    @SuppressWarnings("unchecked") // every Reply is a DnsReply (sealed)
    public static Optional<Reply> now(Mono<Reply> reply) {
        return (Optional<Reply>) (Optional<? extends Reply>) QueryResponder.now(
                (Mono<DnsReply>) (Mono<? extends Reply>) reply);
    }

    /**
     * Encodes {@code reply} for a UDP client (its size limit from the query's EDNS, TC when it does not
     * fit) into a buffer from {@code alloc}, which the caller releases, and reports the answer to the
     * metrics with the time since {@code startNanos} ({@link System#nanoTime}).
     */
    public ByteBuf encodeUdp(ByteBufAllocator alloc, Reply reply, long startNanos) {
        return responder.encodeUdp(alloc, (DnsReply) reply, startNanos);
    }

    /** As {@link #encodeUdp}, for TCP: no size limit below 65,535, with the 2-byte length prefix. */
    public ByteBuf encodeTcp(ByteBufAllocator alloc, Reply reply, long startNanos) {
        return responder.encodeTcp(alloc, (DnsReply) reply, startNanos);
    }
}
