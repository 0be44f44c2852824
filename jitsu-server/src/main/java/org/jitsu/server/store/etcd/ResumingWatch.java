package org.jitsu.server.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * A watch on a key prefix that survives etcd restarts and lost connections: it remembers the last
 * revision it delivered and, whenever jetcd's watch ends or fails, opens a new one from the next
 * revision (after a short back-off), so that no change is lost and none is delivered twice (events at
 * or below the remembered revision are dropped). jetcd's own watch does not always resume after an
 * etcd restart (jetcd issue 1209), hence this.
 */
final class ResumingWatch {
    private static final Logger log = LoggerFactory.getLogger(ResumingWatch.class);
    static final Duration RETRY = Duration.ofMillis(200);

    private final Client client;
    private final ByteSequence prefix;
    private final Scheduler io;
    private final AtomicLong revision = new AtomicLong();
    private final AtomicBoolean opened = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Which watcher is current: signals of older ones (jetcd may report both an error and the end) are ignored. */
    private final AtomicLong generation = new AtomicLong();
    private final Sinks.Many<WatchEvent> events = Sinks.many().multicast().directBestEffort();
    private volatile Watch.Watcher watcher;
    private volatile Disposable retry;

    ResumingWatch(Client client, ByteSequence prefix, Scheduler io) {
        this.client = client;
        this.prefix = prefix;
        this.io = io;
    }

    /** Everything up to {@code rev} is known (from a read): the watch starts after it. */
    void seen(long rev) {
        revision.accumulateAndGet(rev, Math::max);
    }

    long revision() {
        return revision.get();
    }

    /** The changes after the last seen revision; the watch opens with the first subscriber. */
    Flux<WatchEvent> events() {
        return events.asFlux().doOnSubscribe(s -> {
            if (opened.compareAndSet(false, true)) {
                io.schedule(this::open); // jetcd may open its channel here: never on the caller's thread
            }
        });
    }

    private void open() {
        if (closed.get()) {
            return;
        }
        long from = revision.get() + 1;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).build();
        long gen = generation.incrementAndGet();
        try {
            watcher = client.getWatchClient().watch(prefix, option, Watch.listener(this::onResponse,
                    e -> onError(gen, e), () -> onCompleted(gen)));
            log.debug("watch {}: from revision {}", EtcdStore.text(prefix), from);
        } catch (RuntimeException e) {
            onError(gen, e);
        }
    }

    private synchronized void onResponse(WatchResponse response) {
        for (WatchEvent e : response.getEvents()) {
            long rev = e.getKeyValue().getModRevision();
            if (rev <= revision.get()) {
                continue; // delivered already (a resumed watch may repeat)
            }
            revision.set(rev);
            events.tryEmitNext(e);
        }
    }

    private void onError(long gen, Throwable error) {
        if (closed.get() || !generation.compareAndSet(gen, gen + 1)) {
            return;
        }
        log.info("watch {}: {}; resuming from revision {}", EtcdStore.text(prefix), error.toString(),
                revision.get() + 1);
        reopen();
    }

    private void onCompleted(long gen) {
        if (!closed.get() && generation.compareAndSet(gen, gen + 1)) {
            log.info("watch {}: ended; resuming from revision {}", EtcdStore.text(prefix), revision.get() + 1);
            reopen();
        }
    }

    private void reopen() {
        Watch.Watcher w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("closing a failed watcher: {}", e.toString());
            }
        }
        retry = Mono.delay(RETRY, io).subscribe(t -> open());
    }

    void close() {
        closed.set(true);
        Disposable r = retry;
        if (r != null) {
            r.dispose();
        }
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
        events.tryEmitComplete();
    }
}
