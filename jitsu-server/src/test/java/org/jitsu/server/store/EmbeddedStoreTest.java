package org.jitsu.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.core.ServiceStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.scheduler.VirtualTimeScheduler;

@Tag("fast")
class EmbeddedStoreTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void servicesAndRecordsSurviveReopening() {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            store.putService("web", "id: web\nnames: [web.example.test]\n").block(T);
            store.putService("api", "id: api\n").block(T);
            store.putService("old", "id: old\n").block(T);
            assertThat(store.removeService("old").block(T)).isTrue();
            assertThat(store.removeService("never").block(T)).isFalse();
            store.putRecord(new ServiceRecord("web", ServiceStatus.State.RUNNING, "local", 1000, 2000, 3, 1, 42))
                    .block(T);
        }
        try (StateStore store = StateStore.embedded(dir, "local")) {
            Map<String, String> services = store.services().block(T);
            assertThat(services).containsExactly(Map.entry("web", "id: web\nnames: [web.example.test]\n"),
                    Map.entry("api", "id: api\n"));
            assertThat(store.records().block(T)).containsExactly(Map.entry("web",
                    new ServiceRecord("web", ServiceStatus.State.RUNNING, "local", 1000, 2000, 3, 1, 42)));
        }
        assertThat(dir.resolve("state.yml")).exists();
        assertThat(dir.resolve("state.yml.tmp")).as("renamed into place").doesNotExist();
    }

    @Test
    void aTruncatedStoreFileIsNamedWithWhatToDoAndLeftAsItIs() throws Exception {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            store.putService("web", "id: web\nnames: [web.example.test]\n").block(T);
        }
        Path file = dir.resolve("state.yml");
        String whole = Files.readString(file);
        Files.writeString(file, whole.substring(0, whole.length() / 2) + "\n  - {id: [\n"); // cut, then garbage
        String cut = Files.readString(file);
        try (StateStore store = StateStore.embedded(dir, "local")) {
            Throwable t = catchThrowable(() -> store.services().block(T));
            assertThat(t).hasMessageStartingWith(file + ": not a readable Jitsu store file (")
                    .hasMessageContaining(" at line ").hasMessageContaining("move it away to start with an empty store")
                    .hasNoCause();
        }
        assertThat(Files.readString(file)).as("nothing overwritten").isEqualTo(cut);
    }

    @Test
    void aDeletedRecordIsGoneAfterReopening() {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            store.putRecord(new ServiceRecord("pages.a", ServiceStatus.State.STOPPED, "local", 1000, 2000, 1, 0, 9))
                    .block(T);
            store.putRecord(new ServiceRecord("pages.b", ServiceStatus.State.RUNNING, "local", 1000, 2000, 1, 0, 9))
                    .block(T);
            store.deleteRecord("pages.a").block(T);
            store.deleteRecord("never").block(T);
            assertThat(store.records().block(T)).containsOnlyKeys("pages.b");
        }
        try (StateStore store = StateStore.embedded(dir, "local")) {
            assertThat(store.records().block(T)).containsOnlyKeys("pages.b");
        }
    }

    @Test
    void aMissingDirectoryIsCreatedAndAnEmptyStoreStartsEmpty() {
        Path sub = dir.resolve("a/b");
        try (StateStore store = StateStore.embedded(sub, "local")) {
            assertThat(store.services().block(T)).isEmpty();
            assertThat(store.records().block(T)).isEmpty();
            store.putService("x", "id: x\n").block(T);
        }
        assertThat(sub.resolve("state.yml")).exists();
    }

    @Test
    void aLeftoverTemporaryFileFromACrashIsIgnored() throws Exception {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            store.putService("kept", "id: kept\n").block(T);
        }
        // a crash after writing the temporary file and before the rename
        Files.writeString(dir.resolve("state.yml.tmp"), "format: 1\nservices: {torn: ", StandardCharsets.UTF_8);
        try (StateStore store = StateStore.embedded(dir, "local")) {
            assertThat(store.services().block(T)).containsOnlyKeys("kept");
            store.putService("next", "id: next\n").block(T);
        }
        try (StateStore store = StateStore.embedded(dir, "local")) {
            assertThat(store.services().block(T)).containsOnlyKeys("kept", "next");
        }
    }

    @Test
    void aCorruptFileIsAnErrorNotAnEmptyStore() throws Exception {
        Files.writeString(dir.resolve("state.yml"), "- not\n- a mapping\n", StandardCharsets.UTF_8);
        try (StateStore store = StateStore.embedded(dir, "local")) {
            assertThatThrownBy(() -> store.services().block(T)).hasMessageContaining("not a readable Jitsu store file (expected a mapping)");
        }
        assertThat(Files.readString(dir.resolve("state.yml"))).as("left as it was").startsWith("- not");
    }

    @Test
    void concurrentWritesAreAllDurableAndGroupCommitted() {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            List<Mono<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(store.putService("s" + i, "id: s" + i + "\n").subscribeOn(Schedulers.boundedElastic()));
            }
            Flux.merge(writes).then().block(Duration.ofSeconds(30));
        }
        try (StateStore store = StateStore.embedded(dir, "local")) {
            assertThat(store.services().block(T)).hasSize(200);
        }
    }

    @Test
    void recordWritesWithinTheLingerBecomeOneWriteAndAreAcknowledgedOnlyOnceDurable() throws Exception {
        VirtualTimeScheduler clock = VirtualTimeScheduler.create();
        EmbeddedStore store = new EmbeddedStore(dir, "local", Duration.ofMillis(50), Optional.of(clock));
        try {
            store.putService("web", "id: web\n").block(T); // services are written at once
            long before = store.writes();
            assertThat(before).isEqualTo(1);

            java.util.concurrent.CompletableFuture<Void> booting = store.putRecord(
                    new ServiceRecord("web", ServiceStatus.State.BOOTING, "local", 1000, 1000, 0, 0, -1)).toFuture();
            clock.advanceTimeBy(Duration.ofMillis(10));
            java.util.concurrent.CompletableFuture<Void> running = store.putRecord(
                    new ServiceRecord("web", ServiceStatus.State.RUNNING, "local", 1010, 1000, 1, 0, 10)).toFuture();
            assertThat(booting).as("not acknowledged before it is durable").isNotDone();
            assertThat(Files.readString(dir.resolve("state.yml"))).doesNotContain("BOOTING");

            clock.advanceTimeBy(Duration.ofMillis(40)); // the first record's linger ends
            booting.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Files.readString(dir.resolve("state.yml"))).contains("RUNNING").doesNotContain("BOOTING");
            clock.advanceTimeBy(Duration.ofMillis(10));
            running.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(store.writes() - before).as("one write for both records").isEqualTo(1);
        } finally {
            store.close();
            clock.dispose();
        }
        try (StateStore reopened = StateStore.embedded(dir, "local")) {
            assertThat(reopened.records().block(T).get("web").state()).isEqualTo(ServiceStatus.State.RUNNING);
        }
    }

    @Test
    void changesAreSignalledAfterTheyAreDurable() {
        try (StateStore store = StateStore.embedded(dir, "local")) {
            List<Map.Entry<String, Optional<String>>> seen = new ArrayList<>();
            store.serviceChanges().subscribe(seen::add);
            store.putService("a", "id: a\n").block(T);
            store.removeService("a").block(T);
            assertThat(seen).containsExactly(Map.entry("a", Optional.of("id: a\n")), Map.entry("a", Optional.empty()));
        }
    }
}
