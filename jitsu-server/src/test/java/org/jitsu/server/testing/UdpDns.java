package org.jitsu.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal DNS client over one UDP socket, for tests that send many queries at once: each query has
 * its own id (so the replies of up to 65,535 queries in flight are told apart), the socket is bound to
 * a source address of the test's choice (any 127/8 address is local on Linux: another client prefix),
 * and replies are collected by id with their rcode, question name and A/AAAA addresses. Never asks any
 * server but the one given.
 */
public final class UdpDns implements AutoCloseable {
    public static final int NOERROR = 0;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int REFUSED = 5;
    public static final int A = 1;
    public static final int MX = 15;
    public static final int AAAA = 28;

    private final DatagramSocket socket;
    private final Map<Integer, Reply> replies = new ConcurrentHashMap<>();
    private final byte[] buf = new byte[4096];

    /** One reply: its id and rcode, the name it answers, and the addresses of its answer section. */
    public record Reply(int id, int rcode, String name, List<String> addresses) {
    }

    private UdpDns(DatagramSocket socket) {
        this.socket = socket;
    }

    /** A client bound to {@code source} (an ephemeral port) that sends to {@code 127.0.0.1:port}. */
    public static UdpDns open(String source, int port) {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.setReceiveBufferSize(4 << 20);
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return new UdpDns(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one query (recursion not desired) for {@code name} and {@code type} with this id. */
    public void send(int id, String name, int type) {
        byte[] q = query(id, name, type);
        try {
            socket.send(new DatagramPacket(q, q.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the replies that arrive within {@code waitMillis} (at least 1 ms) of each other, adding them
     * to {@link #replies()}; returns how many there are now. Meant for polling with {@link Await}.
     */
    public int drain(int waitMillis) {
        try {
            socket.setSoTimeout(Math.max(1, waitMillis));
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return replies.size();
                }
                Reply r = parse(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                if (replies.putIfAbsent(r.id(), r) != null) {
                    throw new AssertionError("two replies with id " + r.id() + ": " + replies.get(r.id()) + ", " + r);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The replies read so far, by id. */
    public Map<Integer, Reply> replies() {
        return Map.copyOf(replies);
    }

    @Override
    public void close() {
        socket.close();
    }

    private static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0).putShort((short) type).putShort((short) 1);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static Reply parse(ByteBuffer b) throws UnknownHostException {
        int id = b.getShort() & 0xffff;
        int flags = b.getShort() & 0xffff;
        int qd = b.getShort() & 0xffff;
        int an = b.getShort() & 0xffff;
        b.getShort();
        b.getShort();
        String name = "";
        for (int i = 0; i < qd; i++) {
            name = readName(b);
            b.getInt();
        }
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            readName(b);
            int type = b.getShort() & 0xffff;
            b.getShort();
            b.getInt();
            byte[] rdata = new byte[b.getShort() & 0xffff];
            b.get(rdata);
            if ((type == A && rdata.length == 4) || (type == AAAA && rdata.length == 16)) {
                addresses.add(InetAddress.getByAddress(rdata).getHostAddress());
            }
        }
        return new Reply(id, flags & 0xf, name, List.copyOf(addresses));
    }

    /** A name, following compression pointers (only the question's name is kept, so no loops matter). */
    private static String readName(ByteBuffer b) {
        StringBuilder out = new StringBuilder();
        int resume = -1;
        for (int hops = 0; hops < 128; hops++) {
            int len = b.get() & 0xff;
            if (len == 0) {
                break;
            }
            if ((len & 0xc0) == 0xc0) {
                int target = ((len & 0x3f) << 8) | (b.get() & 0xff);
                if (resume < 0) {
                    resume = b.position();
                }
                b.position(target);
                continue;
            }
            byte[] label = new byte[len];
            b.get(label);
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(new String(label, StandardCharsets.US_ASCII));
        }
        if (resume >= 0) {
            b.position(resume);
        }
        return out.toString();
    }
}
