package org.jitsu.server.store.etcd;

import static org.jitsu.server.store.etcd.EtcdKeys.text;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The shared idle clock as this instance reads it: the latest {@code lastquery/<id>/<instance>} of the
 * other instances (epoch ms), loaded at start and followed through a {@link ResumingWatch}, so that the
 * idle check reads them from memory. This instance's own times are written by {@link EtcdStore#putRecord}.
 */
final class LastQueries {
    private static final Logger log = LoggerFactory.getLogger(LastQueries.class);

    private final EtcdKeys keys;
    private final String instance;
    private final ResumingWatch watch;
    private final Map<String, Long> elsewhere = new ConcurrentHashMap<>();

    LastQueries(Client client, EtcdCalls calls, EtcdKeys keys, String instance) {
        this.keys = keys;
        this.instance = instance;
        this.watch = new ResumingWatch(client, keys.lastQueries(), calls.io());
    }

    /** Takes the times of a read of the whole {@code lastquery/} prefix; the watch starts after it. */
    void load(GetResponse read) {
        watch.seen(read.getHeader().getRevision());
        read.getKvs().forEach(this::put);
    }

    /** Follows the others' times (dispose to stop). */
    Disposable follow() {
        return watch.events().subscribe(e -> {
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                put(e.getKeyValue());
            }
        });
    }

    private void put(KeyValue kv) {
        Optional<EtcdKeys.LastQueryKey> key = keys.lastQueryKey(kv.getKey());
        if (key.isEmpty() || key.get().instance().equals(instance)) {
            return;
        }
        try {
            long at = Long.parseLong(text(kv.getValue()));
            elsewhere.merge(key.get().serviceId(), at, Math::max);
        } catch (NumberFormatException e) {
            log.warn("store: ignoring {}: not a time", text(kv.getKey()));
        }
    }

    /** The latest query time another instance saw, or {@link Long#MIN_VALUE}. */
    long latest(String serviceId) {
        Long at = elsewhere.get(serviceId);
        return at == null ? Long.MIN_VALUE : at;
    }

    /** Drops what is known of a forgotten template instance (its next query elsewhere puts it back). */
    void forget(String serviceId) {
        elsewhere.remove(serviceId);
    }

    void close() {
        watch.close();
    }
}
