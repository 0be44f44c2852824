package org.jitsu.server.dns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;
import reactor.core.publisher.Mono;

/** Netty futures as Monos, without blocking. */
final class NettyFutures {
    private NettyFutures() {
    }

    /** The channel once {@code future} (a bind or connect) succeeded. */
    static Mono<Channel> channel(ChannelFuture future) {
        return Mono.create(sink -> future.addListener(f -> {
            if (f.isSuccess()) {
                sink.success(future.channel());
            } else {
                future.channel().close();
                sink.error(f.cause());
            }
        }));
    }

    /** Completes when {@code future} is done, whatever its outcome. */
    static Mono<Void> done(Future<?> future) {
        return Mono.create(sink -> future.addListener(f -> sink.success()));
    }
}
