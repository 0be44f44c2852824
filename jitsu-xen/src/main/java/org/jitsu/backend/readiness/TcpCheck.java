package org.jitsu.backend.readiness;

import java.net.InetSocketAddress;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code tcp: ADDRESS:PORT}: a TCP connect succeeds (then the connection is closed). Non-blocking
 * (JDK asynchronous channels), retried with back-off.
 *
 * <p>Beware: a user-mode NAT (QEMU's hostfwd) accepts connects before the guest is up; use an
 * {@code http} check there.
 */
record TcpCheck(InetSocketAddress address, Duration attemptTimeout, Scheduler timer) implements ReadinessCheck {

    @Override
    public Mono<Void> await(Vm vm) {
        return Retry.until(connectOnce(), timer);
    }

    /** One attempt: {@code true} once connected, an error when refused. */
    Mono<Boolean> connectOnce() {
        return Attempts.<Boolean>onFreshChannel(attemptTimeout, timer, (ch, sink) ->
                ch.connect(address, null, new CompletionHandler<Void, Void>() {
                    @Override
                    public void completed(Void result, Void attachment) {
                        sink.success(Boolean.TRUE);
                    }

                    @Override
                    public void failed(Throwable exc, Void attachment) {
                        sink.error(exc);
                    }
                }));
    }

    @Override
    public String describe() {
        return "tcp connect " + address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
