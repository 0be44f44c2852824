package org.jitsu.server.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.core.Endpoints;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.ServiceUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * One connection accepted by the front, from accept to close. It asks the core for the service
 * ({@link ManagedService#ensureRunning()}, which counts as traffic and joins a boot in flight); when the
 * service runs it connects at once, otherwise it holds the connection: the accept has completed, what
 * the client sends is buffered up to the service's bound (then reading stops, and the client's TCP window
 * closes), and once the service is ready it connects, writes what was buffered and splices the two
 * ({@link Splice}), through the service's {@link ReleaseWindow}. A boot that fails resets the connection, or on an HTTP port answers 503 with
 * {@code Retry-After}. Everything here runs on the connection's event loop; the core's answer hops there.
 */
final class HeldConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HeldConnection.class);
    /** How long a 503 waits for the client to close before the front closes (it discards what comes). */
    private static final long LINGER_503_MILLIS = 2000;

    private final FrontProxy.Listener listener;
    private final ConnectionBook book;
    private final ConnectionBook.Ledger ledger;
    private final ConnectionBook.Connection record;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(2);
    private int pendingBytes;
    private Channel client;
    private Channel service;
    private Disposable wait;
    private boolean activating;
    private boolean answered;
    private boolean held;
    private boolean closed;
    private boolean discarding;
    private boolean inputShutdown;
    private boolean wasHeld;
    private boolean firstByte;
    /** True while this connection has a place in the service's {@link ReleaseWindow}. */
    private boolean place;
    private ScheduledFuture<?> settle;
    private long acceptNanos;
    private long readyNanos;
    private long connectedNanos;

    HeldConnection(FrontProxy.Listener listener) {
        this.listener = listener;
        this.book = listener.book();
        this.ledger = listener.ledger();
        this.record = new ConnectionBook.Connection(book.now()) {
            @Override
            void drainEnded() {
                Channel c = client;
                c.eventLoop().execute(() -> {
                    if (!closed) {
                        listener.metrics().reset(ledger.id(), ProxyMetrics.DRAINED);
                        reset(service);
                        reset(c);
                    }
                });
            }
        };
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        acceptNanos = System.nanoTime();
        Optional<ManagedService> found = listener.services().apply(ledger.id());
        if (found.isEmpty()) { // removed by a reload since the listener was bound
            refuse(ProxyMetrics.UNKNOWN_SERVICE);
            return;
        }
        ledger.opened(record);
        activating = true;
        wait = found.get().ensureRunning().subscribe(this::ready, this::failed);
        activating = false;
        if (!answered) {
            if (!book.hold(ledger)) {
                wait.dispose();
                ledger.closed(record);
                refuse(ProxyMetrics.LIMIT);
                return;
            }
            held = true;
            wasHeld = true;
        }
        ctx.fireChannelActive();
    }

    private void refuse(String reason) {
        closed = true;
        listener.metrics().reset(ledger.id(), reason);
        reset(client);
    }

    private void ready(Endpoints endpoints) {
        onLoop(() -> connect(endpoints));
    }

    private void failed(Throwable error) {
        onLoop(() -> fail(error));
    }

    /** Runs {@code task} now when called inside channelActive (a running service), else on the event loop. */
    private void onLoop(Runnable task) {
        if (activating) {
            answered = true;
            task.run();
        } else {
            client.eventLoop().execute(task);
        }
    }

    private void unhold() {
        if (held) {
            held = false;
            book.unhold(ledger);
        }
    }

    /**
     * The service is ready (or was running): connect through the service's {@link ReleaseWindow}, at once
     * when it has room, else once a place is free. A held connection keeps counting as held until then.
     */
    private void connect(Endpoints endpoints) {
        readyNanos = System.nanoTime();
        if (closed) {
            unhold();
            return;
        }
        Runnable grant = () -> client.eventLoop().execute(() -> {
            place = true;
            start(endpoints);
        });
        ReleaseWindow window = ledger.window();
        if (wasHeld ? window.take(grant) : window.pass(grant)) {
            place = wasHeld;
            start(endpoints);
        }
    }

    private void start(Endpoints endpoints) {
        unhold();
        if (closed) {
            givePlaceBack();
            return;
        }
        InetSocketAddress target = new InetSocketAddress(pick(endpoints.addresses(),
                ((InetSocketAddress) client.localAddress()).getAddress()), listener.port().target());
        ChannelFuture f = new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(listener.transports().client())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new Splice(client, book, ledger, this, false))
                .connect(target);
        service = f.channel();
        f.addListener((ChannelFutureListener) done -> connected(done, target));
    }

    /** Gives this connection's place in the release window back, once. */
    private void givePlaceBack() {
        if (place) {
            place = false;
            if (settle != null) {
                settle.cancel(false);
                settle = null;
            }
            ledger.window().giveBack();
        }
    }

    private void connected(ChannelFuture done, InetSocketAddress target) {
        if (closed) {
            done.channel().close();
            return;
        }
        if (!done.isSuccess()) {
            if (ledger.shouldLog(book.now())) {
                log.warn("service {}: cannot connect to {} for a held connection: {}", ledger.id(), target,
                        done.cause().toString());
            }
            listener.metrics().reset(ledger.id(), ProxyMetrics.CONNECT_FAILED);
            givePlaceBack();
            reset(client);
            return;
        }
        connectedNanos = System.nanoTime();
        if (place) { // a service that sends nothing first gives the place back after the settle period
            settle = client.eventLoop().schedule(this::givePlaceBack,
                    ledger.settings().releaseSettle().toNanos(), TimeUnit.NANOSECONDS);
        }
        ledger.splicing(record);
        if (pendingBytes > 0) {
            ledger.carried(record, pendingBytes, true, book.now());
        }
        while (!pending.isEmpty()) {
            service.write(pending.poll(), service.voidPromise());
        }
        pendingBytes = 0;
        Splice toService = new Splice(service, book, ledger, this, true);
        client.pipeline().replace(this, "splice", toService);
        if (inputShutdown) {
            toService.inputShutdown(client); // flushes, then passes the FIN on
        } else {
            service.flush();
            client.config().setAutoRead(true);
        }
        service.config().setAutoRead(true);
    }

    private void fail(Throwable error) {
        unhold();
        if (closed) {
            return;
        }
        if (ledger.lastLogged != error) {
            ledger.lastLogged = error; // one line per failure, however many connections it holds
            String reason = error instanceof ServiceUnavailableException ? error.getMessage() : error.toString();
            log.warn("service {}: {}; {} held connections {}", ledger.id(), reason, ledger.held() + 1,
                    listener.port().http() ? "answered 503" : "reset");
        }
        listener.metrics().reset(ledger.id(), ProxyMetrics.BOOT_FAILED);
        releasePending();
        if (!listener.port().http()) {
            reset(client);
            return;
        }
        String body = "service " + ledger.id() + " is unavailable: "
                + (error instanceof ServiceUnavailableException ? error.getMessage() : "its boot failed") + "\n";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\n"
                + "Retry-After: " + Math.max(1, ledger.settings().retryAfter().toSeconds()) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bodyBytes.length + "\r\n"
                + "Connection: close\r\n\r\n";
        discarding = true; // what the client still sends is read and dropped, so the close is not a reset
        client.config().setAutoRead(true);
        client.write(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII)), client.voidPromise());
        client.writeAndFlush(Unpooled.wrappedBuffer(bodyBytes)).addListener(f -> {
            if (client instanceof DuplexChannel d) {
                d.shutdownOutput();
            }
            client.eventLoop().schedule(() -> client.close(), LINGER_503_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discarding || closed || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        pending.add(buf);
        pendingBytes += buf.readableBytes();
        ledger.carried(record, 0, true, book.now());
        if (pendingBytes >= ledger.settings().bufferBytes()) {
            client.config().setAutoRead(false); // the bound: the client's window closes, nothing is lost
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // a half-close while held (or a close: TCP cannot tell them apart): the request is complete,
            // keep holding; the FIN is passed on after the buffered bytes once connected
            inputShutdown = true;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releasePending();
        unhold();
        givePlaceBack();
        if (wait != null) {
            wait.dispose(); // this caller stops waiting; the boot goes on for the others
        }
        if (service != null) {
            service.close();
        }
        ledger.closed(record);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void releasePending() {
        while (!pending.isEmpty()) {
            pending.poll().release();
        }
        pendingBytes = 0;
    }

    /** Called by the service side's {@link Splice} on each read: the first one ends the cold start. */
    void firstByteFromService() {
        if (!firstByte) {
            firstByte = true;
            givePlaceBack();
            if (wasHeld) {
                long now = System.nanoTime();
                listener.metrics().held(ledger.id(), readyNanos - acceptNanos, connectedNanos - readyNanos,
                        now - connectedNanos);
            }
        }
    }

    /** Either side of the splice closed. */
    void spliceClosed() {
        closed = true;
        givePlaceBack();
        ledger.closed(record);
    }

    ConnectionBook.Connection record() {
        return record;
    }

    /** Closes with a TCP reset (SO_LINGER 0), so the peer sees a failure at once rather than an orderly end. */
    static void reset(Channel ch) {
        if (ch == null) {
            return;
        }
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // not a socket that takes it (an embedded channel in a test): a plain close
            }
        }
        ch.close();
    }

    /** The endpoint of the family of the front address the client reached, else the first. */
    static InetAddress pick(List<InetAddress> addresses, InetAddress front) {
        boolean v4 = front instanceof Inet4Address;
        for (InetAddress a : addresses) {
            if ((a instanceof Inet4Address) == v4) {
                return a;
            }
        }
        return addresses.get(0);
    }
}
