package org.jitsu.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.core.ServiceJournal;
import org.jitsu.server.core.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's {@link ServiceJournal} on a {@link StateStore}: starts each service from the record
 * found when the server started, and writes every change in the background (the store coalesces).
 */
public final class StoreJournal implements ServiceJournal {
    private static final Logger log = LoggerFactory.getLogger(StoreJournal.class);

    private final StateStore store;
    private final Map<String, ServiceRecord> saved;
    private final AtomicBoolean failing = new AtomicBoolean();

    private StoreJournal(StateStore store, Map<String, ServiceRecord> saved) {
        this.store = store;
        this.saved = Map.copyOf(saved);
    }

    /** A journal that starts services from {@code saved} (the store's records when the server started). */
    public static StoreJournal create(StateStore store, Map<String, ServiceRecord> saved) {
        return new StoreJournal(store, saved);
    }

    @Override
    public Optional<ServiceStatus> saved(String id) {
        return Optional.ofNullable(saved.get(id)).map(ServiceRecord::toStatus);
    }

    @Override
    public List<ServiceStatus> savedUnder(String prefix) {
        List<ServiceStatus> out = new ArrayList<>();
        for (ServiceRecord r : saved.values()) {
            if (r.id().startsWith(prefix)) {
                out.add(r.toStatus());
            }
        }
        return out;
    }

    @Override
    public void forgotten(String id) {
        store.deleteRecord(id).subscribe(null, e -> log.debug("store: cannot delete the record of {}: {}", id,
                e.toString()));
    }

    /**
     * Writes the change in the background. A failure is logged at WARN once, until a write succeeds
     * again (then once at INFO): while the store is unreachable every transition would fail, and the
     * store itself says why and retries (etcd).
     */
    @Override
    public void changed(ServiceStatus status) {
        store.putRecord(ServiceRecord.of(status, store.instanceId())).subscribe(null, e -> {
            if (failing.compareAndSet(false, true)) {
                log.warn("store: cannot save the state of service {}: {} (further failures at DEBUG until a save"
                        + " succeeds)", status.id(), e.toString());
            } else {
                log.debug("store: cannot save the state of service {}: {}", status.id(), e.toString());
            }
        }, () -> {
            if (failing.compareAndSet(true, false)) {
                log.info("store: saving service states works again (service {})", status.id());
            }
        });
    }
}
