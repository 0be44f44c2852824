package org.jitsu.server.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in upstream resolver on 127.0.0.1 for forwarding tests: answers every query with one A
 * record ({@code address}), or stays silent. Never a real resolver.
 */
final class TestUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final byte[] address;
    private final boolean silent;
    final AtomicInteger queries = new AtomicInteger();

    private TestUpstream(byte[] address, boolean silent) throws SocketException {
        this.address = address;
        this.silent = silent;
        this.socket = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0));
        this.thread = new Thread(this::serve, "test-upstream");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static TestUpstream answering(int a, int b, int c, int d) {
        try {
            return new TestUpstream(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, false);
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
    }

    static TestUpstream silent() {
        try {
            return new TestUpstream(new byte[4], true);
        } catch (SocketException e) {
            throw new AssertionError(e);
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
            } catch (IOException e) {
                return; // closed
            }
            queries.incrementAndGet();
            if (silent || in.getLength() < 12) {
                continue;
            }
            byte[] q = buf;
            int p = 12;
            while (p < in.getLength() && q[p] != 0) {
                p += 1 + (q[p] & 0xff);
            }
            int end = p + 5;
            byte[] out = new byte[end + 16];
            System.arraycopy(q, 0, out, 0, end);
            out[2] = (byte) (0x80 | (q[2] & 0x01)); // QR, RD copied
            out[3] = (byte) 0x80; // RA, NOERROR
            out[6] = 0;
            out[7] = 1; // ANCOUNT 1
            out[8] = 0;
            out[9] = 0;
            out[10] = 0;
            out[11] = 0; // no OPT
            byte[] rr = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, address[0], address[1], address[2], address[3]};
            System.arraycopy(rr, 0, out, end, rr.length);
            try {
                socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
