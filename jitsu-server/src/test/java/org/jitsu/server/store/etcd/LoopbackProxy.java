package org.jitsu.server.store.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.settings.IpLiteral;

/**
 * A TCP relay on a free 127.0.0.1 port to another loopback port, for tests that take etcd away from
 * one client only: {@link #cut()} closes the listener and every relayed connection (the client sees
 * the connection reset and refused), {@link #restore()} listens again on the same port. Plain threads
 * with blocking sockets (test code only).
 */
public final class LoopbackProxy implements AutoCloseable {
    private static final InetAddress LOOPBACK = IpLiteral.parse("127.0.0.1").orElseThrow();

    private final int target;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    private LoopbackProxy(int target, int port) {
        this.target = target;
        this.port = port;
    }

    /** A relay to {@code 127.0.0.1:target}, listening. */
    public static LoopbackProxy to(int target) throws IOException {
        LoopbackProxy p = new LoopbackProxy(target, org.jitsu.server.testing.JitsuServerExtension.freePort("127.0.0.1"));
        p.restore();
        return p;
    }

    /** {@code 127.0.0.1:PORT} of the relay. */
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Listens again on the same port. */
    public synchronized void restore() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(LOOPBACK, port));
        server = s;
        Thread t = new Thread(() -> accept(s), "proxy-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening and closes every relayed connection. */
    public synchronized void cut() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        for (Socket c : sockets) {
            c.close();
        }
        sockets.clear();
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket in = s.accept();
                Socket out = new Socket();
                try {
                    out.connect(new InetSocketAddress(LOOPBACK, target), 2000);
                } catch (IOException e) {
                    in.close();
                    out.close();
                    continue;
                }
                synchronized (this) {
                    if (server != s) { // cut while this connection was being set up
                        in.close();
                        out.close();
                        return;
                    }
                    sockets.add(in);
                    sockets.add(out);
                }
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
