package org.jitsu.server.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final Scheduler scheduler;
    private final AtomicLong revision = new AtomicLong();
    private final AtomicBoolean opened = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Which watcher is current: signals of older ones (jetcd may report both an error and the end) are ignored. */
    private final AtomicLong generation = new AtomicLong();
    /** The keys present in the view delivered so far, with their modification revisions. */
    private final Map<ByteSequence, Long> known = new HashMap<>();
    private final Sinks.Many<WatchEvent> events = Sinks.many().multicast().directBestEffort();
    private volatile Watch.Watcher watcher;
    /** The watch failed and has not been open since (its retries are logged at debug only). */
    private volatile boolean failing;
    private volatile Disposable retry;

    ResumingWatch(Client client, ByteSequence prefix, Scheduler scheduler) {
        this.client = client;
        this.prefix = prefix;
        this.scheduler = scheduler;
    }

    /** Everything up to {@code rev} is known (from a read): the watch starts after it. */
    void seen(long rev) {
        revision.accumulateAndGet(rev, Math::max);
    }

    /**
     * A read of the whole prefix: the watch starts after its revision, and these keys are the view a
     * re-read after a compaction is compared with.
     */
    synchronized void seen(GetResponse read) {
        for (KeyValue kv : read.getKvs()) {
            known.put(kv.getKey(), kv.getModRevision());
        }
        seen(read.getHeader().getRevision());
    }

    long revision() {
        return revision.get();
    }

    /** The changes after the last seen revision; the watch opens with the first subscriber. */
    Flux<WatchEvent> events() {
        return events.asFlux().doOnSubscribe(s -> {
            if (opened.compareAndSet(false, true)) {
                scheduler.schedule(this::open); // jetcd may open its channel here: never on the caller's thread
            }
        });
    }

    private void open() {
        if (closed.get()) {
            return;
        }
        long from = revision.get() + 1;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).withCreateNotify(true).build();
        long gen = generation.incrementAndGet();
        try {
            watcher = client.getWatchClient().watch(prefix, option, Watch.listener(this::onResponse,
                    e -> onError(gen, e), () -> onCompleted(gen)));
            log.debug("watch {}: from revision {}", EtcdKeys.text(prefix), from);
        } catch (RuntimeException e) {
            onError(gen, e);
        }
    }

    private synchronized void onResponse(WatchResponse response) {
        if (failing) {
            failing = false;
            log.info("watch {}: open again from revision {}", EtcdKeys.text(prefix), revision.get() + 1);
        }
        for (WatchEvent e : response.getEvents()) {
            long rev = e.getKeyValue().getModRevision();
            if (rev <= revision.get()) {
                continue; // delivered already (a resumed watch may repeat)
            }
            revision.set(rev);
            deliver(e);
        }
    }

    private void deliver(WatchEvent e) {
        if (e.getEventType() == WatchEvent.EventType.DELETE) {
            known.remove(e.getKeyValue().getKey());
        } else {
            known.put(e.getKeyValue().getKey(), e.getKeyValue().getModRevision());
        }
        events.tryEmitNext(e);
    }

    private void onError(long gen, Throwable error) {
        if (closed.get() || !generation.compareAndSet(gen, gen + 1)) {
            return;
        }
        if (compacted(error)) {
            log.info("watch {}: {}; revision {} is gone, reading the prefix again", EtcdKeys.text(prefix),
                    error.getMessage(), revision.get() + 1);
            closeWatcher();
            reread();
            return;
        }
        if (!failing) { // once per outage: the retries every 200 ms are not logged
            failing = true;
            log.info("watch {}: {}; resuming from revision {}", EtcdKeys.text(prefix), error.toString(),
                    revision.get() + 1);
        } else {
            log.debug("watch {}: {}", EtcdKeys.text(prefix), error.toString());
        }
        reopen();
    }

    private void onCompleted(long gen) {
        if (!closed.get() && generation.compareAndSet(gen, gen + 1)) {
            log.info("watch {}: ended; resuming from revision {}", EtcdKeys.text(prefix), revision.get() + 1);
            reopen();
        }
    }

    private void reopen() {
        closeWatcher();
        retry = Mono.delay(RETRY, scheduler).subscribe(t -> open());
    }

    private void closeWatcher() {
        Watch.Watcher w = watcher;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("closing a failed watcher: {}", e.toString());
            }
        }
    }

    static boolean compacted(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CompactedException) {
                return true;
            }
        }
        return false;
    }

    /** Reads the whole prefix, delivers the difference to the known view, then watches after the read. */
    private void reread() {
        if (closed.get()) {
            return;
        }
        retry = Mono.fromFuture(() -> client.getKVClient().get(prefix, GetOption.builder().isPrefix(true).build()),
                        false)
                .subscribeOn(scheduler).timeout(EtcdCalls.TIMEOUT, scheduler).publishOn(scheduler)
                .subscribe(r -> {
                    catchUp(r);
                    open();
                }, e -> {
                    log.info("watch {}: reading the prefix failed ({}); trying again", EtcdKeys.text(prefix),
                            e.toString());
                    retry = Mono.delay(RETRY, scheduler).subscribe(t -> reread());
                });
    }

    private synchronized void catchUp(GetResponse read) {
        long at = read.getHeader().getRevision();
        if (at <= revision.get()) {
            return; // nothing new (cannot happen after a compaction past the revision, but harmless)
        }
        Map<ByteSequence, KeyValue> now = new HashMap<>();
        List<KeyValue> changed = new ArrayList<>();
        for (KeyValue kv : read.getKvs()) {
            now.put(kv.getKey(), kv);
            Long before = known.get(kv.getKey());
            if (before == null || before != kv.getModRevision()) {
                changed.add(kv);
            }
        }
        List<ByteSequence> gone = new ArrayList<>();
        for (ByteSequence key : known.keySet()) {
            if (!now.containsKey(key)) {
                gone.add(key);
            }
        }
        revision.set(at);
        changed.sort(Comparator.comparingLong(KeyValue::getModRevision));
        for (KeyValue kv : changed) {
            deliver(new WatchEvent(kv, null, WatchEvent.EventType.PUT));
        }
        for (ByteSequence key : gone) {
            io.etcd.jetcd.api.KeyValue deleted = io.etcd.jetcd.api.KeyValue.newBuilder()
                    .setKey(com.google.protobuf.ByteString.copyFrom(key.getBytes()))
                    .setModRevision(at).build();
            deliver(new WatchEvent(new KeyValue(deleted, ByteSequence.EMPTY), null, WatchEvent.EventType.DELETE));
        }
        log.info("watch {}: caught up at revision {} ({} changed, {} removed)", EtcdKeys.text(prefix), at,
                changed.size(), gone.size());
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
