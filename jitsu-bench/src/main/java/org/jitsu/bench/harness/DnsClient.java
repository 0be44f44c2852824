package org.jitsu.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A minimal UDP DNS client on loopback for the harness: builds A queries, sends them from one
 * socket, reads replies and their response codes. Only ever talks to the address it is given.
 */
final class DnsClient implements AutoCloseable {
    static final int NOERROR = 0;
    static final int SERVFAIL = 2;

    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private final ByteBuffer in = ByteBuffer.allocateDirect(4096);
    private final Selector selector;

    DnsClient(InetSocketAddress server) throws IOException {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback only: " + server);
        }
        this.server = server;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
        channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 8 << 20);
        channel.bind(new InetSocketAddress(server.getAddress(), 0));
        channel.connect(server);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** The wire form of an A query for {@code name} with message id {@code id}. */
    static byte[] query(int id, String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + n.length + 2 + 4);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0).putShort((short) 1).putShort((short) 1);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    void send(byte[] packet) throws IOException {
        channel.write(ByteBuffer.wrap(packet));
    }

    /**
     * A reply (id, rcode) within {@code timeout}, or empty. Waits in the kernel ({@code epoll} through a
     * selector), never spinning: a spinning client would take one of the machine's two cores away from
     * the server while a cold query is in flight, and not while the backend's own boot is timed, so the
     * two would not be measured under the same conditions.
     */
    Optional<int[]> receive(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            in.clear();
            int n;
            try {
                n = channel.read(in);
            } catch (java.net.PortUnreachableException notYet) {
                return Optional.empty(); // nothing listening (yet)
            }
            if (n > 0) {
                return Optional.of(new int[] {in.getShort(0) & 0xffff, in.get(3) & 0x0f});
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            selector.selectedKeys().clear();
        }
    }

    /** One query and its rcode, or empty after {@code timeout}. */
    Optional<Integer> ask(String name, Duration timeout) throws IOException {
        int id = (int) (System.nanoTime() & 0xffff);
        send(query(id, name));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<int[]> r = receive(Duration.ofNanos(left));
            if (r.isEmpty()) {
                return Optional.empty();
            }
            if (r.get()[0] == id) {
                return Optional.of(r.get()[1]);
            }
        }
    }

    /** Waits until the server answers {@code name} NOERROR (bounded). */
    static void awaitAnswer(InetSocketAddress server, String name, Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        try (DnsClient c = new DnsClient(server)) {
            while (System.nanoTime() < deadline) {
                Optional<Integer> r = c.ask(name, Duration.ofMillis(200));
                if (r.isPresent() && r.get() == NOERROR) {
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll again in 10 ms
            }
        }
        throw new IOException("no answer for " + name + " from " + server + " within " + bound);
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
