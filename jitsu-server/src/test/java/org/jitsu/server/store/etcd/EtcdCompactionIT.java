package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.store.etcd.EtcdStoreIT.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.testing.Closer;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * A watch that must resume from a revision etcd has compacted away: the watching client reaches etcd
 * through a {@link LoopbackProxy} that the test cuts; meanwhile another client writes and deletes,
 * and {@code etcdctl compact} drops the history; once the proxy is back, the watch re-reads the
 * prefix and delivers exactly what changed.
 */
@Tag("etcd")
class EtcdCompactionIT {
    private static final Duration T = Duration.ofSeconds(10);
    private static final Pattern REVISION = Pattern.compile("\"revision\":(\\d+)");

    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension();

    @RegisterExtension
    @Order(2)
    final Closer open = new Closer(); // the server before the stores and the proxy

    @TempDir
    Path dir;

    private StateStore store(String endpoint, String instance) {
        return open.add(EtcdStores.open(etcd.settings(endpoint, "/jitsu-test/", instance,
                StoreSettings.OnUnavailable.REFUSE)));
    }

    /** A proxy to etcd's client port that the test can cut and restore. */
    private LoopbackProxy proxy() throws IOException {
        return open.add(LoopbackProxy.to(etcd.clientPort()));
    }

    /** Compacts etcd's history up to its current revision; returns that revision. */
    private long compactAll() {
        Matcher m = REVISION.matcher(etcd.etcdctl("get", "/no-such-key", "-w", "json"));
        assertThat(m.find()).isTrue();
        long rev = Long.parseLong(m.group(1));
        etcd.etcdctl("compact", Long.toString(rev));
        return rev;
    }

    @Test
    void aWatchResumingFromACompactedRevisionReReadsThePrefixAndDeliversEachChangeOnce() throws Exception {
        LoopbackProxy proxy = proxy();
        StateStore writer = store(etcd.endpoint(), "ns1");
        StateStore watcher = store(proxy.endpoint(), "ns2");
        for (int i = 1; i <= 5; i++) {
            writer.putService("s" + i, "v1").block(T);
        }
        watcher.services().block(T); // knows s1..s5
        writer.putService("s6", "v1").block(T); // after the read: comes through the watch
        List<Map.Entry<String, Optional<String>>> seen = new CopyOnWriteArrayList<>();
        Disposable watch = watcher.serviceChanges().subscribe(seen::add);
        try {
            await("the watch delivers s6", () -> seen.contains(Map.entry("s6", Optional.of("v1"))));
            assertThat(seen).containsExactly(Map.entry("s6", Optional.of("v1")));

            proxy.cut();
            for (int i = 7; i <= 40; i++) {
                writer.putService("s" + i, "v1").block(T);
            }
            writer.putService("s1", "v2").block(T);
            writer.putService("s6", "v2").block(T);
            writer.putService("s6", "v3").block(T); // two changes in the gap: one put with the latest value
            writer.removeService("s2").block(T);
            writer.removeService("s3").block(T);
            writer.putService("gap", "v1").block(T); // created and removed in the gap: nothing to deliver
            writer.removeService("gap").block(T);
            for (int i = 30; i <= 40; i++) {
                writer.removeService("s" + i).block(T);
            }
            compactAll();
            proxy.restore();

            Map<String, String> now = writer.services().block(T);
            await("the watcher's view equals etcd's", () -> view(seen).equals(now));
            List<Map.Entry<String, Optional<String>>> expected = new ArrayList<>();
            expected.add(Map.entry("s6", Optional.of("v1")));
            List<Map.Entry<String, Optional<String>>> gap = new ArrayList<>();
            for (int i = 7; i <= 29; i++) {
                gap.add(Map.entry("s" + i, Optional.of("v1")));
            }
            gap.add(Map.entry("s1", Optional.of("v2")));
            gap.add(Map.entry("s6", Optional.of("v3")));
            gap.add(Map.entry("s2", Optional.empty()));
            gap.add(Map.entry("s3", Optional.empty()));
            assertThat(seen.subList(0, 1)).isEqualTo(expected);
            assertThat(seen.subList(1, seen.size())).as("each change in the gap once, nothing known again")
                    .containsExactlyInAnyOrderElementsOf(gap);

            // and the watch goes on from the re-read's revision
            writer.putService("after", "v1").block(T);
            writer.removeService("s4").block(T);
            await("changes after the catch-up arrive", () -> seen.contains(Map.entry("s4", Optional.empty())));
            assertThat(seen.subList(1 + gap.size(), seen.size())).containsExactly(
                    Map.entry("after", Optional.of("v1")), Map.entry("s4", Optional.empty()));
        } finally {
            watch.dispose();
        }
    }

    /** The services the events describe, starting from s1..s5 = v1. */
    private static Map<String, String> view(List<Map.Entry<String, Optional<String>>> events) {
        Map<String, String> v = new HashMap<>();
        for (int i = 1; i <= 5; i++) {
            v.put("s" + i, "v1");
        }
        for (Map.Entry<String, Optional<String>> e : events) {
            e.getValue().ifPresentOrElse(spec -> v.put(e.getKey(), spec), () -> v.remove(e.getKey()));
        }
        return v;
    }

    @Test
    void aRunningJitsuPicksUpARegistrationAndARemovalMadeDuringAGapThatWasCompacted() throws Exception {
        LoopbackProxy proxy = proxy();
        StateStore writer = store(etcd.endpoint(), "admin");
        writer.putService("old", spec("old", "127.0.9.1")).block(T);
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n",
                EtcdExtension.configHead(port, dir.resolve("ns1"), etcd.yaml(proxy.endpoint())
                        + ", prefix: /jitsu-test/, instance-id: ns1"),
                "zones: [{name: cp.test, nameservers: [ns1.cp.test], hosts: {ns1.cp.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services: []",
                "");
        JitsuServer server = JitsuServer.builder(JitsuConfig.load(Files.writeString(dir.resolve("ns1.yml"), yaml)))
                .startTimeout(Duration.ofSeconds(20)).start();
        open.add(() -> server.close(true));
        assertThat(server.pipeline().core().status("old")).as("registered before the start").isPresent();

        proxy.cut();
        writer.putService("new", spec("new", "127.0.9.2")).block(T);
        writer.removeService("old").block(T);
        for (int i = 0; i < 20; i++) {
            writer.putService("churn", spec("churn", "127.0.9.3")).block(T);
            writer.removeService("churn").block(T);
        }
        compactAll();
        proxy.restore();

        await("the registration made in the gap is served", () -> server.pipeline().core().status("new").isPresent());
        await("the removal made in the gap is applied", () -> server.pipeline().core().status("old").isEmpty());
        assertThat(server.pipeline().core().status("churn")).isEmpty();
    }

    private static String spec(String id, String address) {
        return "{\"id\": \"" + id + "\", \"names\": [\"" + id + ".cp.test\"], \"addresses\": [\"" + address
                + "\"], \"backend\": \"local\", \"process\": {\"command\": [\"busybox\", \"sleep\", \"600\"]},"
                + " \"readiness\": [{\"delay\": \"1ms\"}]}";
    }
}
