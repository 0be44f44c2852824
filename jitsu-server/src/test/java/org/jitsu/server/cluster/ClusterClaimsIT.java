package org.jitsu.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.BootCoordinator.Claim;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.store.etcd.EtcdExtension;
import org.jitsu.server.store.etcd.EtcdStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The etcd coordinator of several instances (one store each) on a real etcd, without servers: the order
 * of one instance's claim operations, a follower and a release that race, and the VM a dead owner
 * leaves behind.
 */
@Tag("etcd")
class ClusterClaimsIT {
    private static final Duration T = Duration.ofSeconds(10);

    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension();

    @RegisterExtension
    @Order(2)
    final Cluster cluster = new Cluster(etcd, "/coordination/");

    private final List<StateStore> stores = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(StateStore::close);
    }

    private BootCoordinator instance(String name) throws Exception {
        StoreSettings.Etcd s = cluster.storeSettings(name);
        StateStore store = EtcdStores.open(s);
        stores.add(store);
        store.start().block(T);
        return store.coordinator();
    }

    /**
     * A stop releases the claim in the background; a query right after claims again. Before the fix the
     * release (two delete transactions) could reach etcd after that claim and delete it: the other
     * instance then claimed too, a second boot. Now an instance's operations on one service reach etcd in
     * the order they were asked.
     */
    @Test
    void aReleaseStillOnItsWayNeverDeletesTheClaimOfTheNextBoot() throws Exception {
        BootCoordinator a = instance("ns1");
        BootCoordinator b = instance("ns2");
        for (int round = 0; round < 40; round++) {
            assertThat(a.claim("web").block(T)).isEqualTo(Claim.OWN);
            a.released("web", true);
            a.released("web", false); // stopped
            assertThat(a.claim("web").block(T)).as("round %d: queried again at once", round).isEqualTo(Claim.OWN);
            CompletableFuture<Claim> other = b.claim("web").toFuture();
            a.released("web", true);
            assertThat(other.get(5, TimeUnit.SECONDS)).as("round %d: the other instance follows, never boots", round)
                    .isEqualTo(Claim.RUNNING_ELSEWHERE);
            a.released("web", false);
        }
    }

    /**
     * The follower reads the claim ({@code booting}), then watches it from the revision it read: a
     * {@code running} written between the read and the start of the watch is not missed.
     */
    @Test
    void aFollowerSeesTheOwnerRunningHoweverSoonAfterItsReadItComes() throws Exception {
        BootCoordinator a = instance("ns1");
        BootCoordinator b = instance("ns2");
        for (int round = 0; round < 40; round++) {
            String id = "svc" + round;
            assertThat(a.claim(id).block(T)).isEqualTo(Claim.OWN);
            CompletableFuture<Claim> follower = b.claim(id).toFuture();
            a.released(id, true);
            assertThat(follower.get(5, TimeUnit.SECONDS)).as("round %d", round).isEqualTo(Claim.RUNNING_ELSEWHERE);
        }
    }

    /**
     * A lease etcd no longer has (revoked here; expired, in life, while etcd could not be reached) is
     * told by the keep-alive's NOT_FOUND code: the instance takes a new lease and puts back the claims of
     * the services it runs, and another instance keeps following them instead of booting.
     */
    @Test
    void aLostLeaseIsReplacedAndTheClaimsOfWhatRunsArePutBack() throws Exception {
        BootCoordinator a = instance("ns1");
        BootCoordinator b = instance("ns2");
        assertThat(a.claim("web").block(T)).isEqualTo(Claim.OWN);
        a.released("web", true);
        Cluster.until("web's claim says running ns1", () -> claim("web").equals("running ns1"));
        String leaseOfWeb = lease("web");

        etcd.etcdctl("lease", "revoke", leaseOfWeb); // its keys go with it
        Cluster.until("ns1 puts web's claim back under a new lease",
                () -> claim("web").equals("running ns1") && !lease("web").equals(leaseOfWeb));
        assertThat(b.claim("web").block(T)).as("ns2 answers, does not boot").isEqualTo(Claim.RUNNING_ELSEWHERE);
    }

    private String claim(String id) {
        return etcd.etcdctl("get", "/coordination/claims/" + id, "--print-value-only").strip();
    }

    /** The lease of a key (hex, as etcdctl takes it), or empty when the key does not exist. */
    private String lease(String id) {
        String json = etcd.etcdctl("get", "/coordination/claims/" + id, "-w", "json");
        Matcher m = Pattern.compile("\"lease\":(\\d+)").matcher(json);
        return m.find() ? Long.toHexString(Long.parseLong(m.group(1))) : "";
    }

    @Test
    void theVmOfAnOwnerWhoseLeaseExpiredIsLeftBehindForTheNextClaimAndAnnounced() throws Exception {
        BootCoordinator a = instance("ns1");
        BootCoordinator b = instance("ns2");
        List<String> announced = new CopyOnWriteArrayList<>();
        b.onLeftBehind(announced::add);
        assertThat(a.claim("web").block(T)).isEqualTo(Claim.OWN);
        a.runs("web", "4242 2026-01-01T00:00:00Z");
        a.released("web", true);
        Cluster.until("ns2 sees web running on ns1", () -> b.claim("web").block(T) == Claim.RUNNING_ELSEWHERE);

        stores.remove(0).close(); // ns1 dies: no release, its lease expires after 2 s
        Cluster.until("ns2 hears that ns1 left web's VM behind", () -> announced.contains("web"));
        assertThat(b.claim("web").block(T)).isEqualTo(Claim.adopting(
                new BootCoordinator.LeftBehind("ns1", "4242 2026-01-01T00:00:00Z")));

        // ns2 runs it now and stops it: the record goes with the claim, the next claim adopts nothing
        b.runs("web", "4242 2026-01-01T00:00:00Z");
        b.released("web", true);
        b.released("web", false);
        BootCoordinator c = instance("ns3");
        java.util.concurrent.atomic.AtomicReference<Claim> last = new java.util.concurrent.atomic.AtomicReference<>();
        Cluster.until("the claim is gone", () -> {
            last.set(c.claim("web").block(T));
            return last.get().own();
        });
        assertThat(last.get()).isEqualTo(Claim.OWN);
        assertThat(announced).as("a stop by the owner is not a death").containsExactly("web");
    }
}
