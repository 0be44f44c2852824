package org.jitsu.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Proves BlockHound is active in the test JVM: a sleep where nothing may block must fail. */
@Tag("fast")
class BlockHoundTest {

    @Test
    void sleepingOnANettyEventLoopFails() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Throwable thrown = group.submit(() -> {
                try {
                    Thread.sleep(1);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            }).get(5, TimeUnit.SECONDS);
            assertThat(thrown).isInstanceOf(BlockingOperationError.class);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sleepingOnTheParallelSchedulerFails() {
        Throwable thrown = Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return "slept";
                })
                .subscribeOn(Schedulers.parallel())
                .map(Object.class::cast)
                .onErrorResume(e -> Mono.just(e))
                .block(Duration.ofSeconds(5)) instanceof Throwable t ? t : null;
        assertThat(thrown).isInstanceOf(BlockingOperationError.class);
    }

    @Test
    void sleepingOnTheBoundedElasticSchedulerIsAllowed() {
        String result = Mono.fromCallable(() -> {
                    Thread.sleep(1);
                    return "slept";
                })
                .subscribeOn(Schedulers.boundedElastic())
                .block(Duration.ofSeconds(5));
        assertThat(result).isEqualTo("slept");
    }
}
