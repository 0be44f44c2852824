package org.jitsu.server.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in upstream resolver on 127.0.0.1 for forwarding tests: answers every query with one A
 * record ({@code address}), or stays silent, or (truncating) sends TC over UDP and the answer over
 * TCP on the same port. Never a real resolver.
 */
final class TestUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final byte[] address;
    private final boolean silent;
    private final Optional<ServerSocket> tcp;
    final AtomicInteger queries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    /** One permit per UDP query received: tests wait on it with a timeout. */
    final Semaphore received = new Semaphore(0);
    final AtomicInteger lastId = new AtomicInteger(-1);
    /** The last query received over UDP and over TCP (without its length prefix), as sent. */
    final AtomicReference<byte[]> lastUdpQuery = new AtomicReference<>();
    final AtomicReference<byte[]> lastTcpQuery = new AtomicReference<>();

    private TestUpstream(byte[] address, boolean silent, boolean truncating) throws IOException {
        this.address = address;
        this.silent = silent;
        this.socket = new DatagramSocket(new InetSocketAddress(DnsServerExtension.V4, 0));
        this.tcp = truncating ? Optional.of(new ServerSocket(socket.getLocalPort(), 10, DnsServerExtension.V4))
                : Optional.empty();
        this.thread = new Thread(this::serve, "test-upstream");
        this.thread.setDaemon(true);
        this.thread.start();
        if (tcp.isPresent()) {
            Thread t = new Thread(this::serveTcp, "test-upstream-tcp");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Answers over UDP with TC and no records, and fully over TCP. */
    static TestUpstream truncating(int a, int b, int c, int d) {
        try {
            return new TestUpstream(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, false, true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void serveTcp() {
        ServerSocket server = tcp.orElseThrow();
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = TcpFrames.read(in);
                lastTcpQuery.set(q);
                tcpQueries.incrementAndGet();
                OutputStream out = s.getOutputStream();
                out.write(TcpFrames.frame(respond(q, q.length, false)));
                out.flush();
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    static TestUpstream answering(int a, int b, int c, int d) {
        try {
            return new TestUpstream(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, false, false);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static TestUpstream silent() {
        try {
            return new TestUpstream(new byte[4], true, false);
        } catch (IOException e) {
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
            lastUdpQuery.set(java.util.Arrays.copyOf(buf, in.getLength()));
            queries.incrementAndGet();
            if (in.getLength() >= 2) {
                lastId.set(Wire.u16(buf, 0));
            }
            received.release();
            if (silent || in.getLength() < 12) {
                continue;
            }
            byte[] out = respond(buf, in.getLength(), tcp.isPresent());
            try {
                socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The query's header and question, QR and RA set, one A record; or only TC when truncating. */
    private byte[] respond(byte[] q, int length, boolean truncate) {
        int p = 12;
        while (p < length && q[p] != 0) {
            p += 1 + (q[p] & 0xff);
        }
        int end = p + 5;
        byte[] out = new byte[end + (truncate ? 0 : 16)];
        System.arraycopy(q, 0, out, 0, end);
        out[2] = (byte) (0x80 | (truncate ? 0x02 : 0) | (q[2] & 0x01)); // QR, TC, RD copied
        out[3] = (byte) 0x80; // RA, NOERROR
        out[6] = 0;
        out[7] = (byte) (truncate ? 0 : 1);
        out[8] = 0;
        out[9] = 0;
        out[10] = 0;
        out[11] = 0; // no OPT
        if (!truncate) {
            byte[] rr = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, address[0], address[1], address[2], address[3]};
            System.arraycopy(rr, 0, out, end, rr.length);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (tcp.isPresent()) {
            tcp.get().close();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
