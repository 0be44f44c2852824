package org.jitsu.server.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Where and how the DNS front end listens.
 *
 * @param addresses addresses to bind (IPv4 and/or IPv6); UDP and TCP on each
 * @param port the port for all of them; 0 picks a free one (the same for every address and transport)
 * @param eventLoops event loops (and, with epoll, SO_REUSEPORT UDP sockets per address); 0 = one per core
 * @param udpReceiveBuffer SO_RCVBUF of UDP sockets, bytes
 * @param maxUdpPayload the largest UDP response we send to an EDNS client (512 without EDNS)
 * @param tcpIdleTimeout a TCP connection with no query for this long is closed
 * @param tcpMaxConnections open TCP connections at most; new ones beyond are closed at once
 * @param udpReceiveBatch datagrams read per system call with epoll ({@code recvmmsg}); 1 = one
 *     {@code recvmsg} per datagram (NIO always reads one at a time)
 */
public record ListenSettings(List<InetAddress> addresses, int port, int eventLoops, int udpReceiveBuffer,
                             int maxUdpPayload, Duration tcpIdleTimeout, int tcpMaxConnections,
                             int udpReceiveBatch) {
    /** The default of {@link #udpReceiveBatch}. */
    public static final int DEFAULT_UDP_RECEIVE_BATCH = 32;
    /** The largest {@link #udpReceiveBatch}: the kernel's limit on one {@code recvmmsg} (UIO_MAXIOV). */
    public static final int MAX_UDP_RECEIVE_BATCH = 1024;

    public ListenSettings {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("addresses: [] (expected: at least one)");
        }
    }
}
