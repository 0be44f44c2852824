package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.store.ServiceRecord;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.testing.Await;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The etcd store on a real etcd 3.4: two stores (two instances) sharing it, and an etcd restart. */
@Tag("etcd")
class EtcdStoreIT {
    private static final Duration T = Duration.ofSeconds(10);

    @RegisterExtension
    final EtcdExtension etcd = new EtcdExtension();

    private final List<StateStore> stores = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(StateStore::close);
    }

    private StateStore store(String instance) {
        StoreSettings.Etcd s = new StoreSettings.Etcd(List.of(new InetSocketAddress(
                IpLiteral.parse("127.0.0.1").orElseThrow(), etcd.clientPort())), "/jitsu-test/", instance,
                Duration.ofSeconds(5), false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), StoreSettings.OnUnavailable.REFUSE);
        StateStore store = EtcdStores.open(s);
        stores.add(store);
        return store;
    }

    @Test
    void servicesAndRecordsAreSharedAndCallsNeverBlockTheCaller() {
        StateStore a = store("ns1");
        StateStore b = store("ns2");
        // subscribed on the parallel scheduler: BlockHound fails the test if anything blocks there
        Mono.defer(() -> a.putService("web", "id: web\n")).subscribeOn(Schedulers.parallel()).block(T);
        Mono.defer(() -> a.putService("api", "id: api\n")).subscribeOn(Schedulers.parallel()).block(T);
        ServiceRecord r = new ServiceRecord("web", ServiceStatus.State.RUNNING, "ns1", 1, 2, 3, 4, 5);
        Mono.defer(() -> a.putRecord(r)).subscribeOn(Schedulers.parallel()).block(T);

        assertThat(Mono.defer(b::services).subscribeOn(Schedulers.parallel()).block(T))
                .containsExactly(Map.entry("web", "id: web\n"), Map.entry("api", "id: api\n"));
        assertThat(a.records().block(T)).as("records are per instance").containsExactly(Map.entry("web", r));
        assertThat(b.records().block(T)).isEmpty();
        assertThat(b.removeService("web").block(T)).isTrue();
        assertThat(b.removeService("web").block(T)).isFalse();
        assertThat(a.services().block(T)).containsOnlyKeys("api");
    }

    @Test
    void aDeletedRecordIsGoneForARestartedInstanceToo() {
        StateStore a = store("ns1");
        ServiceRecord r = new ServiceRecord("pages.a", ServiceStatus.State.STOPPED, "ns1", 1, 2, 3, 4, 5);
        a.putRecord(r).block(T);
        a.putRecord(new ServiceRecord("pages.b", ServiceStatus.State.RUNNING, "ns1", 1, 2, 3, 4, 5)).block(T);
        assertThat(a.records().block(T)).containsOnlyKeys("pages.a", "pages.b");
        Mono.defer(() -> a.deleteRecord("pages.a")).subscribeOn(Schedulers.parallel()).block(T);
        a.deleteRecord("never").block(T);
        assertThat(a.records().block(T)).containsOnlyKeys("pages.b");
        assertThat(store("ns1").records().block(T)).as("as a restarted instance reads it").containsOnlyKeys("pages.b");
    }

    @Test
    void watchesResumeFromTheLastSeenRevisionAfterAnEtcdRestart() throws Exception {
        StateStore a = store("ns1");
        StateStore b = store("ns2");
        b.services().block(T); // the watch starts after what was read
        List<Map.Entry<String, Optional<String>>> seen = new CopyOnWriteArrayList<>();
        Disposable watch = b.serviceChanges().subscribe(seen::add);
        try {
            a.putService("one", "id: one\n").block(T);
            await("b sees one", () -> seen.contains(Map.entry("one", Optional.of("id: one\n"))));

            etcd.kill();
            etcd.restart();
            // written as soon as etcd is back: possibly before b's watch has reconnected
            retry(() -> a.putService("two", "id: two\n").block(T));
            retry(() -> a.removeService("one").block(T));
            await("b sees two and the removal of one after the restart",
                    () -> seen.contains(Map.entry("two", Optional.of("id: two\n")))
                            && seen.contains(Map.entry("one", Optional.empty())));
            assertThat(seen).as("each change once, in order").containsExactly(
                    Map.entry("one", Optional.of("id: one\n")),
                    Map.entry("two", Optional.of("id: two\n")),
                    Map.entry("one", Optional.empty()));
            assertThat(b.services().block(T)).containsOnlyKeys("two");
        } finally {
            watch.dispose();
        }
    }

    private static void retry(Runnable write) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                write.run();
                return;
            } catch (RuntimeException e) {
                assertThat(System.nanoTime()).as("etcd accepts writes again: " + e).isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(what, condition);
    }
}
