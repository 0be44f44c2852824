package org.jitsu.backend.xenstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jitsu.backend.testkit.XenstoredServer;
import org.jitsu.backend.xenstore.Xenstore.Permission;
import org.jitsu.backend.xenstore.Xenstore.Permission.Access;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bindings through Debian's real {@code libxenstore} against {@link XenstoredServer} on the socket
 * {@code XENSTORED_PATH} names (set by the build for the integration tests).
 */
@Tag("native")
class XenstoreIT {
    private XenstoredServer server;
    private Xenstore xs;

    @BeforeEach
    void setUp() throws Exception {
        Path socket = Path.of(System.getenv("XENSTORED_PATH"));
        Files.createDirectories(socket.getParent());
        server = XenstoredServer.start(socket);
        xs = Xenstore.open();
    }

    @AfterEach
    void tearDown() {
        if (xs != null) {
            xs.close();
        }
        server.close();
    }

    @Test
    void readWriteListAndRemoveGoThroughTheDaemon() {
        assertThat(xs.read("/local/domain/3/name")).isEmpty();
        xs.write("/local/domain/3/name", "web");
        xs.write("/local/domain/3/data/ready", "1");
        assertThat(server.value("/local/domain/3/name")).contains("web");
        assertThat(xs.read("/local/domain/3/name")).contains("web");
        assertThat(xs.directory("/local/domain/3")).containsExactlyInAnyOrder("name", "data");
        assertThat(xs.directory("/local/domain/9")).isEmpty();

        xs.rm("/local/domain/3");
        assertThat(xs.read("/local/domain/3/data/ready")).isEmpty();
        assertThat(server.value("/local/domain/3")).isEmpty();
        xs.rm("/local/domain/3"); // gone already: nothing
        assertThat(server.log()).extracting(XenstoredServer.Change::op).containsExactly("WRITE", "WRITE", "RM");
    }

    @Test
    void permissionsAreSetAndReadBackOwnerFirst() {
        xs.write("/local/domain/4/rumprun/cfg", "{}");
        xs.setPermissions("/local/domain/4/rumprun/cfg", List.of(Permission.of(0, Access.NONE), Permission.of(4, Access.READ)));
        assertThat(xs.permissions("/local/domain/4/rumprun/cfg"))
                .containsExactly(Permission.of(0, Access.NONE), Permission.of(4, Access.READ));
        assertThat(server.log()).last().isEqualTo(new XenstoredServer.Change("PERMS", "/local/domain/4/rumprun/cfg", "n0,r4"));
        assertThatThrownBy(() -> xs.permissions("/nowhere")).isInstanceOf(XenstoreException.class)
                .hasMessageContaining("ENOENT");
    }

    @Test
    void aTransactionCommitsAllItsWritesAtOnce() {
        AtomicInteger seenDuring = new AtomicInteger(-1);
        xs.transaction(t -> {
            t.write("/local/domain/5/rumprun/cfg/net", "{\"if\":\"xenif0\"}");
            t.write("/local/domain/5/rumprun/cfg/cmdline", "httpd");
            seenDuring.set(server.log().size()); // nothing committed before the end
            assertThat(t.read("/local/domain/5/rumprun/cfg/cmdline")).contains("httpd");
            return null;
        });
        assertThat(seenDuring).hasValue(0);
        assertThat(server.log()).extracting(XenstoredServer.Change::path)
                .containsExactly("/local/domain/5/rumprun/cfg/net", "/local/domain/5/rumprun/cfg/cmdline");
    }

    @Test
    void aTransactionThatMeetsAnotherWriterRunsAgainAndABodyThatThrowsAborts() {
        AtomicInteger attempts = new AtomicInteger();
        try (Xenstore other = Xenstore.open()) {
            String result = xs.transaction(t -> {
                int n = attempts.incrementAndGet();
                t.write("/tool/counter", Integer.toString(n));
                if (n < 3) {
                    other.write("/tool/other", "w" + n); // another writer commits meanwhile: EAGAIN
                }
                return "done";
            });
            assertThat(result).isEqualTo("done");
        }
        assertThat(attempts).hasValue(3);
        assertThat(server.value("/tool/counter")).contains("3");

        assertThatThrownBy(() -> xs.transaction(t -> {
            t.write("/tool/aborted", "x");
            throw new IllegalStateException("body failed");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(server.value("/tool/aborted")).isEmpty();
    }

    @Test
    void aWatchFiresWhenSetAndOnEachChangeBelowItsPath() throws Exception {
        xs.watch("/local/domain/6/data", "ready-6");
        assertThat(xs.readWatch()).isEqualTo(new Xenstore.WatchEvent("/local/domain/6/data", "ready-6"));
        server.guestWrite("/local/domain/6/data/ready", "1");
        assertThat(xs.readWatch()).isEqualTo(new Xenstore.WatchEvent("/local/domain/6/data/ready", "ready-6"));
        server.guestWrite("/local/domain/7/data/ready", "1"); // another domain: no event for this watch
        xs.unwatch("/local/domain/6/data", "ready-6");
        xs.watch("/local/domain/7", "seven");
        assertThat(xs.readWatch().token()).as("the next event is the new watch's first, not domain 7's write")
                .isEqualTo("seven");
    }

    @Test
    void aLostConnectionEndsAWaitForAWatchWithAnError() throws Exception {
        xs.watch("/local/domain/8/data", "t");
        xs.readWatch(); // the first event
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                xs.readWatch();
                return null;
            } catch (XenstoreException e) {
                return e;
            }
        });
        server.dropConnections();
        Throwable t = waiting.get(10, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(XenstoreException.class);
    }

    @Test
    void withNoDaemonOpenFailsNamingTheSocket() {
        server.close();
        assertThatThrownBy(Xenstore::open).isInstanceOf(XenstoreException.class)
                .hasMessageContaining(System.getenv("XENSTORED_PATH"));
    }
}
