package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.authority.Answer;
import org.jitsu.server.dns.authority.Query;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.server.dns.authority.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;

/**
 * Transport-independent heart of the front end: decodes a query, asks the pipeline (or the
 * forwarder), maps the {@link Answer} to a {@link DnsReply}, and encodes replies with metrics. Reads
 * the packet only during {@link #respond}: the caller releases it right after.
 */
final class QueryResponder {
    private static final Logger log = LoggerFactory.getLogger(QueryResponder.class);
    static final int TCP_LIMIT = 0xffff;
    /** What {@link #respond} returns for a packet that gets no reply at all. */
    static final Mono<DnsReply> NO_REPLY = Mono.empty();
    private static final int QUESTION_CACHE_SLOTS = 4096;

    private final QueryPipeline pipeline;
    private final Optional<Forwarder> forwarder;
    private final FrontEndMetrics metrics;
    private final int maxUdpPayload;
    private final ResponseRateLimiter limiter;
    private final ServerCookies cookies;
    private final QuestionCache questions = QuestionCache.create(QUESTION_CACHE_SLOTS);

    QueryResponder(QueryPipeline pipeline, Optional<Forwarder> forwarder, FrontEndMetrics metrics,
                   int maxUdpPayload) {
        this(pipeline, forwarder, metrics, maxUdpPayload, null);
    }

    /** As above, with response-rate limiting of UDP answers ({@code null}: none). */
    QueryResponder(QueryPipeline pipeline, Optional<Forwarder> forwarder, FrontEndMetrics metrics,
                   int maxUdpPayload, ResponseRateLimiter limiter) {
        this(pipeline, forwarder, metrics, maxUdpPayload, limiter, null);
    }

    /**
     * As above, with DNS cookies ({@code null}: none): a query's client cookie is answered with a server
     * cookie, and a client whose server cookie is valid is exempt from the rate limit.
     */
    QueryResponder(QueryPipeline pipeline, Optional<Forwarder> forwarder, FrontEndMetrics metrics,
                   int maxUdpPayload, ResponseRateLimiter limiter, ServerCookies cookies) {
        this.pipeline = pipeline;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.maxUdpPayload = maxUdpPayload;
        this.limiter = limiter;
        this.cookies = cookies;
    }

    /**
     * A UDP reply to {@code sender} under the rate limit: the reply encoded, encoded truncated (slip: TC,
     * no records), or null when it is dropped. Records the answer as {@link #encodeUdp} does.
     */
    ByteBuf encodeUdpLimited(ByteBufAllocator alloc, DnsReply reply, InetSocketAddress sender, long startNanos) {
        if (limiter == null) {
            return encodeUdp(alloc, reply, startNanos);
        }
        int rcode;
        int records;
        if (reply instanceof DnsReply.Built b) {
            rcode = b.rcode().intValue() & 0xF;
            records = b.answers().size();
        } else {
            byte[] m = ((DnsReply.Relayed) reply).message();
            rcode = m.length > 3 ? m[3] & 0xF : 2;
            records = 1;
        }
        WireRequest.Cookie cookie = reply.request().cookie();
        if (cookies != null && cookie != null && cookie.serverLength() == 16
                && cookies.valid(cookie.client(), cookie.serverHigh(), cookie.serverLow(), sender.getAddress())) {
            return encodeUdp(alloc, reply, startNanos); // a valid server cookie: not a spoofed source
        }
        int action = limiter.decide(sender.getAddress(), rcode, records);
        if (action == ResponseRateLimiter.SEND) {
            return encodeUdp(alloc, reply, startNanos);
        }
        if (action == ResponseRateLimiter.SLIP) {
            return encode(alloc, reply, 0, false, startNanos, Transport.UDP); // over any limit: truncated
        }
        return null;
    }

    FrontEndMetrics metrics() {
        return metrics;
    }

    /**
     * {@link #respond} for a transport handler, with the query counted in {@code inFlight} from
     * before the pipeline sees it (so that a shutdown waits for it) until its reply is written: the
     * caller decrements once it has written the reply; here the count is dropped again when there is
     * no reply ({@link #NO_REPLY}) or the responder throws. The packet is not released.
     */
    Mono<DnsReply> respondCounted(ByteBuf packet, InetSocketAddress client, Transport transport, InFlight inFlight) {
        inFlight.increment();
        Mono<DnsReply> reply;
        try {
            reply = respond(packet, client, transport);
        } catch (RuntimeException e) {
            inFlight.decrement();
            throw e;
        }
        if (reply == NO_REPLY) {
            inFlight.decrement();
        }
        return reply;
    }

    /**
     * The reply to {@code packet} (one DNS message), or {@link #NO_REPLY} when it is dropped. Never
     * errors: a failing pipeline yields SERVFAIL. Does not release {@code packet}.
     *
     * <p>When the pipeline's answer is already there (a warm name: the pipeline returns a prebuilt
     * {@code Mono.just}, a {@link Fuseable.ScalarCallable}), the reply is built at once and returned as a
     * scalar {@code Mono} too: callers take it with {@link #now} instead of subscribing, so the warm
     * path builds no operator chain and no subscriber.
     */
    Mono<DnsReply> respond(ByteBuf packet, InetSocketAddress client, Transport transport) {
        ParseResult parsed = decode(packet);
        if (parsed instanceof ParseResult.Accept accept) {
            WireRequest request = cookies != null && accept.request().cookie() != null
                    ? accept.request().withClient(client.getAddress()) // the reply's server cookie is made of it
                    : accept.request();
            WireRequest.Question q = request.question().orElseThrow();
            Mono<Answer> answer;
            try {
                answer = pipeline.resolve(new Query(q.name(), q.qtype(), client, transport, request.subnet()));
            } catch (RuntimeException e) {
                log.debug("pipeline failed for {}: {}", q.name(), e.toString());
                return Mono.just(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL));
            }
            if (answer instanceof Fuseable.ScalarCallable<?> scalar) {
                return resolved(request, scalar, packet, client, transport);
            }
            Optional<byte[]> raw = forwarder.filter(f -> f.allows(client.getAddress()))
                    .map(f -> ByteBufUtil.getBytes(packet));
            return answer
                    .flatMap(a -> toReply(request, a, raw, transport))
                    .onErrorResume(e -> {
                        log.debug("pipeline failed for {}: {}", q.name(), e.toString());
                        return Mono.just(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL));
                    })
                    .defaultIfEmpty(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL));
        }
        if (parsed instanceof ParseResult.Reject reject) {
            if (reject.malformed()) {
                metrics.malformed(transport);
            }
            return Mono.just(reject.reply());
        }
        ParseResult.Drop drop = (ParseResult.Drop) parsed;
        if (drop.malformed()) {
            metrics.malformed(transport);
        }
        metrics.dropped(transport, drop.reason());
        return NO_REPLY;
    }

    /** Parses {@code packet} through this responder's question cache; does not move its indices. */
    ParseResult decode(ByteBuf packet) {
        return QueryDecoder.decode(packet, questions);
    }

    /** The reply to an answer that is already there; reads {@code packet} only to forward it. */
    private Mono<DnsReply> resolved(WireRequest request, Fuseable.ScalarCallable<?> scalar, ByteBuf packet,
                                    InetSocketAddress client, Transport transport) {
        Object value;
        try {
            value = scalar.call();
        } catch (Exception e) {
            log.debug("pipeline failed for {}: {}", request.question().orElseThrow().name(), e.toString());
            return Mono.just(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL));
        }
        if (!(value instanceof Answer a)) {
            return Mono.just(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL)); // empty: never for a pipeline
        }
        Optional<byte[]> raw = a instanceof Answer.NotAuthoritative
                ? forwarder.filter(f -> f.allows(client.getAddress())).map(f -> ByteBufUtil.getBytes(packet))
                : Optional.empty();
        return toReply(request, a, raw, transport);
    }

    /**
     * The reply in {@code reply} when it is already there (as {@link #respond} returns it for warm
     * names, rejects and errors), without subscribing; empty when it comes later or never.
     */
    static Optional<DnsReply> now(Mono<DnsReply> reply) {
        if (reply instanceof Fuseable.ScalarCallable<?> scalar) {
            try {
                return Optional.ofNullable((DnsReply) scalar.call());
            } catch (Exception e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private Mono<DnsReply> toReply(WireRequest request, Answer answer, Optional<byte[]> raw, Transport transport) {
        if (answer instanceof Answer.Found f) {
            return Mono.just(new DnsReply.Built(request, DnsResponseCode.NOERROR, true, f.answers(), f.authority(),
                    f.additional(), f.scope()));
        }
        if (answer instanceof Answer.NoData n) {
            return Mono.just(new DnsReply.Built(request, DnsResponseCode.NOERROR, true, List.of(),
                    List.of(n.soa().forNegativeAnswer()), List.of()));
        }
        if (answer instanceof Answer.NxDomain n) {
            return Mono.just(new DnsReply.Built(request, DnsResponseCode.NXDOMAIN, true, List.of(),
                    List.of(n.soa().forNegativeAnswer()), List.of()));
        }
        if (answer instanceof Answer.NotAuthoritative) {
            if (forwarder.isPresent() && raw.isPresent()) {
                return forwarder.get().forward(request, raw.get(), transport);
            }
            return Mono.just(DnsReply.Built.error(request, DnsResponseCode.REFUSED));
        }
        if (answer instanceof Answer.Refused) {
            return Mono.just(DnsReply.Built.error(request, DnsResponseCode.REFUSED));
        }
        return Mono.just(DnsReply.Built.error(request, DnsResponseCode.SERVFAIL));
    }

    /**
     * Encodes {@code reply} for a UDP client (size limit from its EDNS) and records the answer.
     */
    ByteBuf encodeUdp(ByteBufAllocator alloc, DnsReply reply, long startNanos) {
        return encode(alloc, reply, reply.request().udpLimit(maxUdpPayload), false, startNanos, Transport.UDP);
    }

    /** Encodes {@code reply} with its 2-byte TCP length prefix and records the answer. */
    ByteBuf encodeTcp(ByteBufAllocator alloc, DnsReply reply, long startNanos) {
        return encode(alloc, reply, TCP_LIMIT, true, startNanos, Transport.TCP);
    }

    private ByteBuf encode(ByteBufAllocator alloc, DnsReply reply, int limit, boolean prefix, long startNanos,
                           Transport transport) {
        ByteBuf out = alloc.buffer(prefix ? 514 : 512);
        try {
            int rcode = write(out, reply, limit, prefix);
            metrics.answered(transport, reply.request().qtype(), rcode, System.nanoTime() - startNanos);
            return out;
        } catch (RuntimeException e) {
            // Should not happen: answer SERVFAIL rather than leave the client waiting.
            log.debug("encoding failed: {}", e.toString());
            out.clear();
            DnsReply failure = DnsReply.Built.error(reply.request(), DnsResponseCode.SERVFAIL);
            try {
                write(out, failure, limit, prefix);
            } catch (RuntimeException again) {
                out.release();
                throw again;
            }
            metrics.answered(transport, reply.request().qtype(), DnsResponseCode.SERVFAIL.intValue(),
                    System.nanoTime() - startNanos);
            return out;
        }
    }

    private int write(ByteBuf out, DnsReply reply, int limit, boolean prefix) {
        if (prefix) {
            out.writeShort(0);
        }
        int start = out.writerIndex();
        int rcode = ResponseEncoder.encode(out, reply, limit, maxUdpPayload, cookies);
        if (prefix) {
            out.setShort(start - 2, out.writerIndex() - start);
        }
        return rcode;
    }
}
