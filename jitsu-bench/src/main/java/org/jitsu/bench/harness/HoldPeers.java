package org.jitsu.bench.harness;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client and server ends of {@link HoldBench}: an echo and a sink server (blocking NIO socket
 * channels, one pooled thread per connection, so that a new connection does not pay for a new thread),
 * the client loops that drive them over one connection at a time from the calling thread, a blocking
 * UDP DNS client that returns the address answered, and process-level helpers: the CPU time of a
 * group of this JVM's threads, and their CPU affinity ({@code taskset}).
 *
 * <p>The sink's protocol needs no half-close, so that it works through any proxy: the client sends an
 * 8-byte length, then that many bytes; the sink reads them all and answers one byte. The echo server
 * writes back whatever it reads until the client closes.
 */
final class HoldPeers {
    private static final int CHUNK = 1 << 20;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private HoldPeers() {
    }

    /** A listening echo or sink server on one address; {@link #close()} stops it and its connections. */
    static final class Server implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final ExecutorService workers;
        private final boolean sink;
        /** One buffer per pooled thread: a direct buffer per connection would wait for the GC to free it. */
        private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));

        private Server(ServerSocketChannel listener, boolean sink, String name) {
            this.listener = listener;
            this.sink = sink;
            AtomicInteger n = new AtomicInteger();
            this.workers = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            workers.execute(this::acceptLoop);
        }

        /** An echo ({@code sink} false) or sink server on {@code address}, on a free port. */
        static Server start(InetAddress address, boolean sink) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(address, 0), 256);
            return new Server(s, sink, sink ? "bench-sink" : "bench-echo");
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) listener.getLocalAddress();
        }

        private void acceptLoop() {
            while (listener.isOpen()) {
                try {
                    SocketChannel c = listener.accept();
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    workers.execute(() -> serve(c));
                } catch (ClosedChannelException closed) {
                    return;
                } catch (IOException e) {
                    if (listener.isOpen()) {
                        System.out.println("  bench server: accept failed: " + e);
                    }
                }
            }
        }

        private void serve(SocketChannel c) {
            ByteBuffer buf = buffers.get();
            try (c) {
                if (sink) {
                    ByteBuffer head = ByteBuffer.allocate(8);
                    while (readFully(c, head.clear(), true)) {
                        long left = head.getLong(0);
                        while (left > 0) {
                            buf.clear().limit((int) Math.min(CHUNK, left));
                            int n = c.read(buf);
                            if (n < 0) {
                                return;
                            }
                            left -= n;
                        }
                        writeFully(c, ByteBuffer.wrap(new byte[] {1}));
                    }
                } else {
                    while (c.read(buf.clear()) >= 0) {
                        writeFully(c, buf.flip());
                    }
                }
            } catch (IOException e) {
                // the client reset or went away: nothing to report
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            workers.shutdownNow(); // closes the connections blocked in I/O (interruptible channels)
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static InetSocketAddress socket(String address, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    /** {@code n} distinct TCP ports free on {@code address} now. */
    static int[] freePorts(String address, int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            while (held.size() < n) {
                held.add(new ServerSocket(0, 1, InetAddress.getByName(address)));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** The CPU affinity list of this JVM's main process (as {@code taskset -p -c} prints it: {@code 0-1}). */
    static String affinity() throws IOException {
        return taskset("-p", "-c", Long.toString(ProcessHandle.current().pid())).replaceFirst("(?s).*: *", "").trim();
    }

    /** Sets the CPU affinity of every thread of this JVM; threads created later inherit it from their creator. */
    static void pinAll(String cpus) throws IOException {
        taskset("-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()));
    }

    /** Sets the CPU affinity of the calling thread alone (its Linux thread id from {@code /proc/thread-self}). */
    static void pinThisThread(String cpus) throws IOException {
        taskset("-p", "-c", cpus, Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** The CPUs of an affinity list such as {@code 0-1} or {@code 2,5-6}, in order. */
    static List<String> cpus(String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.split(",")) {
            String[] range = part.trim().split("-");
            int last = Integer.parseInt(range[range.length - 1]);
            for (int c = Integer.parseInt(range[0]); c <= last; c++) {
                out.add(Integer.toString(c));
            }
        }
        return out;
    }

    private static String taskset(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("taskset"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + text.trim());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
    }

    /** CPU time of this JVM's threads whose names start with {@code prefix}; 0 for a null prefix. */
    static long cpuNanos(String prefix) {
        if (prefix == null) {
            return 0;
        }
        long sum = 0;
        for (ThreadInfo info : MX.getThreadInfo(MX.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                sum += Math.max(0, MX.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** Streams {@code bytes} over one new connection to a sink at {@code target}; MiB per second to its ack. */
    static double throughput(InetSocketAddress target, long bytes) throws IOException {
        ByteBuffer data = ByteBuffer.allocateDirect(CHUNK);
        try (SocketChannel c = open(target)) {
            long t0 = System.nanoTime();
            writeFully(c, ByteBuffer.allocate(8).putLong(0, bytes));
            long left = bytes;
            while (left > 0) {
                data.clear().limit((int) Math.min(CHUNK, left));
                while (data.hasRemaining()) {
                    left -= c.write(data);
                }
            }
            readFully(c, ByteBuffer.allocate(1), false);
            return bytes / 1048576.0 / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * {@code warmup} then {@code rounds} round trips of a {@code size}-byte message over one connection
     * to an echo server; each measured one's time in ns.
     */
    static long[] pingPong(InetSocketAddress target, int size, int warmup, int rounds) throws IOException {
        long[] took = new long[rounds];
        ByteBuffer out = ByteBuffer.allocateDirect(size);
        ByteBuffer in = ByteBuffer.allocateDirect(size);
        try (SocketChannel c = open(target)) {
            for (int i = -warmup; i < rounds; i++) {
                long t0 = System.nanoTime();
                writeFully(c, out.clear());
                readFully(c, in.clear(), false);
                if (i >= 0) {
                    took[i] = System.nanoTime() - t0;
                }
            }
        }
        return took;
    }

    /** {@code warmup} then {@code rounds} times: connect, one {@code size}-byte round trip, close; ns each. */
    static long[] connectRoundTrip(InetSocketAddress target, int size, int warmup, int rounds) throws IOException {
        long[] took = new long[rounds];
        ByteBuffer out = ByteBuffer.allocateDirect(size);
        ByteBuffer in = ByteBuffer.allocateDirect(size);
        for (int i = -warmup; i < rounds; i++) {
            long t0 = System.nanoTime();
            try (SocketChannel c = open(target)) {
                writeFully(c, out.clear());
                readFully(c, in.clear(), false);
                if (i >= 0) {
                    took[i] = System.nanoTime() - t0;
                }
            }
        }
        return took;
    }

    /**
     * One cold round's client side: an A query for {@code name}, a connect to the address answered on its
     * port in {@code ports}, {@code GET / HTTP/1.0}, the whole response read (it must be a 200). Returns the
     * ns from the query's send to the answer and to the response's first byte.
     */
    static long[] queryConnectGet(Resolver dns, String name, Map<String, Integer> ports) throws IOException {
        long t0 = System.nanoTime();
        InetAddress a = dns.ask(name);
        long t1 = System.nanoTime();
        Integer port = ports.get(a.getHostAddress());
        if (port == null) {
            throw new IOException(name + " answered " + a + ", not one of " + ports.keySet());
        }
        try (Socket s = new Socket()) {
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(a, port), 15_000);
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            int first = in.read();
            long t2 = System.nanoTime();
            String reply = (char) first + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!reply.startsWith("HTTP/1.") || !reply.contains(" 200 ")) {
                throw new IOException(name + ": not a 200: " + reply.lines().findFirst().orElse(reply));
            }
            return new long[] {t1 - t0, t2 - t0};
        }
    }

    private static SocketChannel open(InetSocketAddress target) throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback only: " + target);
        }
        SocketChannel c = SocketChannel.open();
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.connect(target);
        return c;
    }

    static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    /** Fills {@code b}; false at a clean end of stream before its first byte when {@code endOk}, else an error. */
    static boolean readFully(SocketChannel c, ByteBuffer b, boolean endOk) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                if (endOk && b.position() == 0) {
                    return false;
                }
                throw new EOFException("the peer closed after " + b.position() + " of " + b.limit() + " bytes");
            }
        }
        return true;
    }

    /** A blocking UDP client that asks for A records one at a time and returns the first address answered. */
    static final class Resolver implements AutoCloseable {
        private final DatagramSocket socket;
        private final byte[] in = new byte[4096];
        private int nextId;

        Resolver(InetSocketAddress server) throws IOException {
            if (!server.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("loopback only: " + server);
            }
            socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
            socket.connect(server);
            socket.setSoTimeout(15_000);
        }

        InetAddress ask(String name) throws IOException {
            int id = nextId++ & 0xffff;
            byte[] q = DnsClient.query(id, name);
            socket.send(new DatagramPacket(q, q.length));
            DatagramPacket reply = new DatagramPacket(in, in.length);
            do {
                socket.receive(reply); // a timeout throws
            } while (((in[0] & 0xff) << 8 | (in[1] & 0xff)) != id);
            return firstA(name, reply.getLength());
        }

        private InetAddress firstA(String name, int length) throws IOException {
            if ((in[3] & 0x0f) != DnsClient.NOERROR) {
                throw new IOException(name + ": rcode " + (in[3] & 0x0f));
            }
            int p = 12;
            for (int q = u16(4); q > 0; q--) {
                p = skipName(p) + 4;
            }
            for (int a = u16(6); a > 0 && p < length; a--) {
                p = skipName(p);
                int type = u16(p);
                int rdLength = u16(p + 8);
                p += 10;
                if (type == 1 && rdLength == 4) {
                    return InetAddress.getByAddress(Arrays.copyOfRange(in, p, p + 4));
                }
                p += rdLength;
            }
            throw new IOException(name + ": no A record in the answer");
        }

        private int skipName(int p) {
            while (true) {
                int b = in[p] & 0xff;
                if (b == 0) {
                    return p + 1;
                }
                if ((b & 0xc0) == 0xc0) {
                    return p + 2;
                }
                p += 1 + b;
            }
        }

        private int u16(int p) {
            return (in[p] & 0xff) << 8 | (in[p + 1] & 0xff);
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
