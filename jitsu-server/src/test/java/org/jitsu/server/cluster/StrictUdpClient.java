package org.jitsu.server.cluster;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jitsu.settings.IpLiteral;

/**
 * A one-query DNS client over UDP for the cluster tests, in place of {@code dig}, that checks every
 * datagram its socket receives: each query gets a socket of its own, bound to {@code 127.0.0.1:0}
 * without {@code SO_REUSEADDR}/{@code SO_REUSEPORT}, so the kernel never gives its port to another
 * socket while it is open, and anything on it that is not the one reply to its query is a failure
 * (a reply with another query's ID, from another address, or not a reply), not a warning.
 *
 * <p>Why not {@code dig}: dig 9.18 sets {@code SO_REUSEPORT} on its UDP socket before binding it to
 * port 0 and connecting it to the server, and Linux then may hand an ephemeral port that another open
 * {@code SO_REUSEPORT} socket of the same user holds. Two digs to the same server on the same port have
 * the same four-tuple, the kernel delivers both replies to one of them (it prints
 * {@code ;; Warning: ID mismatch} and then its own answer) and the other gets nothing. The server
 * answered each query once, to the address and port it came from.
 */
final class StrictUdpClient {
    private static final int TYPE_A = 1;

    private StrictUdpClient() {
    }

    /** What came back: the response code and the A records' addresses, in order. */
    record Reply(int id, int rcode, List<String> addresses) {
        /** Like {@code dig +short}: the addresses, one a line. */
        String shortText() {
            return String.join("\n", addresses);
        }
    }

    /**
     * Asks {@code 127.0.0.1:port} for the A records of {@code name} with a random ID and waits at most
     * {@code timeout} for the reply; empty when none came.
     *
     * @throws AssertionError when the socket receives anything but the reply to this query
     */
    static Optional<Reply> queryA(int port, String name, Duration timeout) {
        return queryA(port, name, timeout, ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** {@link #queryA(int, String, Duration)} with the given query ID. */
    static Optional<Reply> queryA(int port, String name, Duration timeout, int id) {
        InetAddress loopback = IpLiteral.parse("127.0.0.1").orElseThrow();
        InetSocketAddress server = new InetSocketAddress(loopback, port);
        try (DatagramSocket socket = socket(loopback)) {
            byte[] query = query(id, name);
            socket.send(new DatagramPacket(query, query.length, server));
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buf = new byte[4096];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(in);
                } catch (SocketTimeoutException e) {
                    return Optional.empty();
                }
                String on = "on the socket " + socket.getLocalPort() + " of query ID " + id + " for " + name
                        + " to port " + port;
                if (!server.equals(in.getSocketAddress())) {
                    throw new AssertionError("a datagram from " + in.getSocketAddress() + " " + on);
                }
                Reply reply = parse(ByteBuffer.wrap(buf, 0, in.getLength()).slice(), on);
                if (reply.id() != id) {
                    throw new AssertionError("a reply with ID " + reply.id() + " " + on
                            + " (sent to the wrong client, or a reply that came after its query gave up)");
                }
                return Optional.of(reply);
            }
        } catch (IOException e) {
            throw new AssertionError("query for " + name + " to port " + port + ": " + e, e);
        }
    }

    /**
     * A socket on {@code address} and a port the kernel picks, without {@code SO_REUSEADDR} or
     * {@code SO_REUSEPORT}: no other socket can hold that port while this one is open.
     */
    static DatagramSocket socket(InetAddress address) throws IOException {
        DatagramSocket socket = new DatagramSocket(null);
        try {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(address, 0));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A standard query (RD set) for the A records of {@code name}. */
    static byte[] query(int id, String name) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        for (String label : name.split("\\.")) {
            byte[] text = label.getBytes(StandardCharsets.US_ASCII);
            b.put((byte) text.length).put(text);
        }
        b.put((byte) 0).putShort((short) TYPE_A).putShort((short) 1);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** Reads a response: header, skips the questions, the A records of the answer section. */
    static Reply parse(ByteBuffer b, String context) {
        try {
            int id = Short.toUnsignedInt(b.getShort());
            int flags = Short.toUnsignedInt(b.getShort());
            if ((flags & 0x8000) == 0) {
                throw new AssertionError("a datagram with ID " + id + " that is not a response " + context);
            }
            int questions = Short.toUnsignedInt(b.getShort());
            int answers = Short.toUnsignedInt(b.getShort());
            b.getShort();
            b.getShort();
            for (int i = 0; i < questions; i++) {
                skipName(b);
                b.position(b.position() + 4);
            }
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < answers; i++) {
                skipName(b);
                int type = Short.toUnsignedInt(b.getShort());
                b.getShort(); // class
                b.getInt(); // ttl
                int length = Short.toUnsignedInt(b.getShort());
                if (type == TYPE_A && length == 4) {
                    addresses.add(Byte.toUnsignedInt(b.get()) + "." + Byte.toUnsignedInt(b.get()) + "."
                            + Byte.toUnsignedInt(b.get()) + "." + Byte.toUnsignedInt(b.get()));
                } else {
                    b.position(b.position() + length);
                }
            }
            return new Reply(id, flags & 0xf, List.copyOf(addresses));
        } catch (RuntimeException e) {
            throw new AssertionError("a malformed response " + context + ": " + e, e);
        }
    }

    private static void skipName(ByteBuffer b) {
        while (true) {
            int len = Byte.toUnsignedInt(b.get());
            if (len == 0) {
                return;
            }
            if ((len & 0xc0) == 0xc0) {
                b.get(); // a pointer ends the name
                return;
            }
            b.position(b.position() + len);
        }
    }
}
