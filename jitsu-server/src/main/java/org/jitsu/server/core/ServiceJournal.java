package org.jitsu.server.core;

import java.util.List;
import java.util.Optional;

/**
 * Where the core keeps what must outlive it: each service's state and counters, for a state store
 * (embedded or shared) to persist. The core reads {@link #saved} once when it creates a service's
 * runtime and calls {@link #changed} after each transition (boot started, booted, failed, stopped,
 * adopted, died) and from the idle tick when the last-query time moved, so a hot name costs at most one
 * call per idle-check interval. Never called on the warm path or under a runtime's lock.
 *
 * <p>Nothing the core does waits for a record to be durable: a boot is launched before the journal
 * hears that it began, and the queries waiting for a boot are answered before the journal hears that it
 * ended. None of it needs to be durable first, because what runs is never decided from these records:
 * after a crash, a restarted server finds its VMs through the backends (the process backend's pid
 * files, written before {@code Vm.start()} completes; libvirt's domains) and adopts them with a full
 * idle period. A crash between an answer and the write of its RUNNING record therefore loses only what
 * the record adds: the last counters and last-query time, and the note (logged at adoption) that this
 * server started the VM.
 *
 * <p>{@link #NONE} keeps nothing: the core then behaves exactly as without a journal.
 */
public interface ServiceJournal {

    /** Keeps nothing. */
    ServiceJournal NONE = new ServiceJournal() {
        @Override
        public Optional<ServiceStatus> saved(String id) {
            return Optional.empty();
        }

        @Override
        public void changed(ServiceStatus status) {
        }
    };

    /** What an earlier run saved for this service (its counters and last state), if anything. */
    Optional<ServiceStatus> saved(String id);

    /** The service's state or counters changed. Must not block: persist on a scheduler of your own. */
    void changed(ServiceStatus status);

    /**
     * What an earlier run saved for the services whose id starts with {@code prefix} (a template's
     * instances: {@code "pages."}), so that the instances that ran when it ended are known again and
     * stopped when idle. By default nothing.
     */
    default List<ServiceStatus> savedUnder(String prefix) {
        return List.of();
    }

    /** A template forgot this instance: its record goes too (must not block). By default nothing kept. */
    default void forgotten(String id) {
    }
}
