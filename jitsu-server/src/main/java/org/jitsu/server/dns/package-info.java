/**
 * The DNS front end: the only code that touches DNS bytes and Netty buffers.
 *
 * <p>Public: {@link org.jitsu.server.dns.DnsServer} (built by {@code DnsServer.builder()}), its
 * settings ({@link org.jitsu.server.dns.ListenSettings}, {@link org.jitsu.server.dns.ForwardSettings},
 * {@link org.jitsu.server.dns.Cidr}) and {@link org.jitsu.server.dns.FrontEndMetrics}. Everything else
 * is package-private:
 * <ul>
 *   <li>{@code QueryDecoder}: our own query parser (RFC 1035, 6891) deciding drops, FORMERR, NOTIMP,
 *       BADVERS and REFUSED; {@code ResponseEncoder}: our own encoder with name compression and
 *       truncation (TC). netty-codec-dns is used only by tests, as an independent decoder.</li>
 *   <li>{@code QueryResponder}: transport-independent glue between a packet, the
 *       {@link org.jitsu.server.dns.authority.QueryPipeline}, the {@code Forwarder} and the metrics.</li>
 *   <li>{@code UdpQueryHandler}, {@code TcpFrameDecoder}, {@code TcpQueryHandler},
 *       {@code TcpConnectionLimiter}: the Netty handlers; {@code NettyDnsServer} binds them
 *       (epoll with SO_REUSEPORT, or NIO) and owns the event loops.</li>
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
