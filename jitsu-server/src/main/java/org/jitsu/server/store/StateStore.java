package org.jitsu.server.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.core.BootCoordinator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * State that outlives one Jitsu process: services registered at run time (by id, each the text of a
 * {@code services[]} entry as YAML or JSON) and one {@link ServiceRecord} per service (state, owner,
 * counters, last query).
 *
 * <p>Every method returns at once; the work (file I/O, network) runs on the store's own bounded
 * scheduler, never on the caller's thread. A write's Mono completes once the write is durable: for the
 * embedded store, once the file holding it has been written, forced to disk and atomically renamed.
 */
public interface StateStore extends AutoCloseable {

    /**
     * The embedded store: in memory, persisted to {@code directory/state.yml} (created when missing)
     * with atomic replacement, on one thread of its own.
     */
    static StateStore embedded(Path directory, String instanceId) {
        return new EmbeddedStore(directory, instanceId);
    }

    /** This instance's name, written as the owner of the records it writes. */
    String instanceId();

    /** Services registered at run time, by id, in registration order. */
    Mono<Map<String, String>> services();

    /** Registers (or replaces) a service; completes when durable. */
    Mono<Void> putService(String id, String spec);

    /** Removes a registered service; true when there was one. Completes when durable. */
    Mono<Boolean> removeService(String id);

    /** Every service's record, by id. */
    Mono<Map<String, ServiceRecord>> records();

    /** Writes one service's record; completes when durable. Writes of the same id may be coalesced. */
    Mono<Void> putRecord(ServiceRecord record);

    /** Deletes this instance's record of a service (a forgotten template instance); completes when durable. */
    Mono<Void> deleteRecord(String id);

    /**
     * Changes to the registered services made by any instance sharing the store (for the embedded store:
     * by this process), as they happen: a service id and its spec, or empty when it was removed.
     */
    Flux<Map.Entry<String, Optional<String>>> serviceChanges();

    /** How boots and stops are agreed with the other instances sharing this store ({@code LOCAL}: none). */
    default BootCoordinator coordinator() {
        return BootCoordinator.LOCAL;
    }

    /** Connects what must run before the pipeline starts (etcd: the lease, the others' query times). */
    default Mono<Void> start() {
        return Mono.empty();
    }

    /** What this store is, for logs: {@code embedded run/store} or {@code etcd ...}. */
    String describe();

    /** Flushes what is pending (bounded) and releases threads and files. */
    @Override
    void close();
}
