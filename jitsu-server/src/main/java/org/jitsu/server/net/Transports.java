package org.jitsu.server.net;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The native transport (epoll on Linux) or NIO: event loops and channel types in one place, for the DNS
 * listeners and the connection-holding front alike.
 */
public record Transports(boolean epoll) {

    /** Epoll when it is available, else NIO. */
    public static Transports detect() {
        return new Transports(Epoll.isAvailable());
    }

    public EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory(name, true);
        return new MultiThreadIoEventLoopGroup(threads, threadFactory,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** A datagram channel of the family of {@code address}. */
    public ChannelFactory<DatagramChannel> datagram(InetAddress address) {
        SocketProtocolFamily family = address instanceof Inet4Address ? SocketProtocolFamily.INET
                : SocketProtocolFamily.INET6;
        if (epoll) {
            return () -> new EpollDatagramChannel(family);
        }
        return () -> new NioDatagramChannel(family);
    }

    public ChannelFactory<ServerChannel> server() {
        if (epoll) {
            return EpollServerSocketChannel::new;
        }
        return NioServerSocketChannel::new;
    }

    public ChannelFactory<SocketChannel> client() {
        if (epoll) {
            return EpollSocketChannel::new;
        }
        return NioSocketChannel::new;
    }
}
