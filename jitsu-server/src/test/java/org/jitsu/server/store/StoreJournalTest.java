package org.jitsu.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.testing.LogCapture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The journal's writes go to the store in the background; while the store cannot be written (etcd
 * down: every transition fails) it warns once, not once per transition, and says when saving works again.
 */
@Tag("fast")
class StoreJournalTest {

    /** A store whose record writes fail while {@code down} is set; records what was written. */
    private static final class SwitchableStore implements StateStore {
        final AtomicBoolean down = new AtomicBoolean();
        final List<ServiceRecord> written = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();

        @Override
        public String instanceId() {
            return "ns1";
        }

        @Override
        public Mono<Map<String, String>> services() {
            return Mono.just(Map.of());
        }

        @Override
        public Mono<Void> putService(String id, String spec) {
            return Mono.empty();
        }

        @Override
        public Mono<Boolean> removeService(String id) {
            return Mono.just(false);
        }

        @Override
        public Mono<Map<String, ServiceRecord>> records() {
            return Mono.just(Map.of());
        }

        @Override
        public Mono<Void> deleteRecord(String id) {
            deleted.add(id);
            return Mono.empty();
        }

        @Override
        public Mono<Void> putRecord(ServiceRecord record) {
            if (down.get()) {
                return Mono.error(new IllegalStateException("etcd 127.0.0.1:2379 did not answer"));
            }
            written.add(record);
            return Mono.empty();
        }

        @Override
        public Flux<Map.Entry<String, Optional<String>>> serviceChanges() {
            return Flux.never();
        }

        @Override
        public String describe() {
            return "a switchable test store";
        }

        @Override
        public void close() {
        }
    }

    private static ServiceStatus status(String id, ServiceStatus.State state) {
        return new ServiceStatus(id, state, Instant.ofEpochMilli(1_000), Optional.empty(), 0, 0, Optional.empty());
    }

    @Test
    void anUnwritableStoreIsReportedOnceThenOnceMoreWhenSavingWorksAgain() {
        SwitchableStore store = new SwitchableStore();
        StoreJournal journal = StoreJournal.create(store, Map.of());
        try (LogCapture logs = new LogCapture(StoreJournal.class)) {
            journal.changed(status("a", ServiceStatus.State.BOOTING));
            store.down.set(true);
            for (int i = 0; i < 10; i++) {
                journal.changed(status("svc" + i, ServiceStatus.State.RUNNING));
            }
            store.down.set(false);
            journal.changed(status("b", ServiceStatus.State.RUNNING));
            journal.changed(status("c", ServiceStatus.State.RUNNING));
            store.down.set(true);
            journal.changed(status("d", ServiceStatus.State.STOPPED));

            List<ILoggingEvent> warnOrInfo = logs.events().stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
            assertThat(warnOrInfo).extracting(ILoggingEvent::getLevel)
                    .containsExactly(Level.WARN, Level.INFO, Level.WARN);
            assertThat(warnOrInfo.get(0).getFormattedMessage())
                    .contains("service svc0").contains("did not answer");
            assertThat(warnOrInfo.get(1).getFormattedMessage()).contains("works again").contains("service b");
            assertThat(warnOrInfo.get(2).getFormattedMessage()).contains("service d");
        }
        assertThat(store.written).extracting(ServiceRecord::id).containsExactly("a", "b", "c");
    }
}
