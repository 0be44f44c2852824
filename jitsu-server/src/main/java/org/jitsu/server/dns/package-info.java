/**
 * The DNS front end: the wire format and Netty. The only code that touches {@code ByteBuf} and
 * {@code io.netty.handler.codec.dns}: it reads queries off UDP and TCP, hands them to the authority as
 * a {@link org.jitsu.server.dns.authority.Query}, turns the
 * {@link org.jitsu.server.dns.authority.Answer} into a response code and bytes, and relays names
 * outside every zone to upstream resolvers.
 *
 * <p>Dependencies: {@code org.jitsu.server.dns.authority} (the
 * {@link org.jitsu.server.dns.authority.QueryPipeline} and its answer model; nothing else of it), the
 * settings helpers ({@code IpLiteral}), Netty with netty-codec-dns, Reactor and SLF4J. Never
 * {@code org.jitsu.server.core} (the authority hides it), the store, the backends, the metrics or
 * the server around it: they depend on this package, not the other way round
 * ({@code FrontEndDependenciesTest} reads the imports).
 *
 * <p>Public: {@link org.jitsu.server.dns.DnsServer} (built by {@code DnsServer.builder()}), its
 * settings ({@link org.jitsu.server.dns.ListenSettings}, {@link org.jitsu.server.dns.ForwardSettings},
 * {@link org.jitsu.server.dns.Cidr}), {@link org.jitsu.server.dns.FrontEndMetrics}, and
 * {@link org.jitsu.server.dns.MessageResponder}, the listeners' message path without sockets (for
 * other transports, benchmarks and fuzzers). Everything else is package-private:
 * <ul>
 *   <li>{@code QueryDecoder}: our own query parser (RFC 1035, 6891) deciding drops, FORMERR, NOTIMP,
 *       BADVERS and REFUSED; {@code ResponseEncoder}: our own encoder with name compression and
 *       truncation (TC). netty-codec-dns names the codes and types they use ({@code DnsResponseCode},
 *       {@code DnsRecordType}, {@code DnsOpCode}, {@code DnsSection}); its codecs are not on any path
 *       (docs/architecture.md, section netty-codec-dns, says why) and serve the tests as an independent
 *       decoder.</li>
 *   <li>{@code QueryResponder}: transport-independent glue between a packet, the
 *       {@link org.jitsu.server.dns.authority.QueryPipeline}, the {@code Forwarder} and the metrics.</li>
 *   <li>{@code UdpQueryHandler}, {@code TcpFrameDecoder}, {@code TcpQueryHandler},
 *       {@code TcpConnectionLimiter}: the Netty handlers; {@code NettyDnsServer} binds them
 *       (epoll with SO_REUSEPORT, or NIO) and owns the event loops.</li>
 *   <li>{@code Forwarder}, {@code UpstreamTcpClient}: the client side towards upstream resolvers,
 *       relaying the client's query and the upstream's answer as bytes (only the id changes).</li>
 * </ul>
 *
 * <p>Choices where the RFCs leave room:
 * <ul>
 *   <li>Label bytes outside 0x21–0x7e, and '.', make a query FORMERR (no escaping scheme).</li>
 *   <li>AXFR and IXFR are REFUSED over UDP and TCP alike; QCLASS other than IN is REFUSED.</li>
 *   <li>A query with a non-zero opcode gets NOTIMP even when the rest of it is malformed.</li>
 *   <li>Compression matches names case-insensitively; owner names equal to the question point at the
 *       question and so carry the client's letter case.</li>
 *   <li>TCP queries larger than 4096 bytes, or of length zero, close the connection.</li>
 *   <li>Listen on specific addresses: a UDP socket bound to a wildcard address answers from whatever
 *       source address the kernel picks (no IP_PKTINFO handling).</li>
 *   <li>Timeouts of forwarding attempts and the shutdown grace period run on the injected clock
 *       ({@code DnsServer.Builder.clock}); TCP idle timeouts use Netty's {@code IdleStateHandler}.</li>
 *   <li>Forwarding: always UDP to the upstream first; if its answer has TC and the client came over
 *       TCP, the same upstream is asked again over TCP. UDP clients get the upstream's answer, or a TC
 *       answer (header and question only) when it exceeds their limit.</li>
 * </ul>
 */
package org.jitsu.server.dns;
