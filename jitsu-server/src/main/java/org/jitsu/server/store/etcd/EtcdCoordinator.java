package org.jitsu.server.store.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.function.Consumer;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.BootCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * {@link BootCoordinator} on etcd, put together from its parts, each with one concern:
 * <ul>
 *   <li>{@link EtcdLease}: this instance's lease (grant, keep-alive, loss and replacement);</li>
 *   <li>{@link ClaimProtocol}: {@code claims/<id>} = {@code booting|running <instance>}, bound to the
 *   lease: claim (create only if absent), follow another instance's boot, release; its values are
 *   {@link ClaimValues};</li>
 *   <li>{@link VmRecords}: {@code vms/<id>} = {@code <instance> <handle>}, not bound to the lease, so that
 *   the VM of an owner that dies can be adopted;</li>
 *   <li>{@link Reconciliation}: claims for boots made while etcd was unreachable ({@code boot-locally}),
 *   and the take-over of a VM whose owner died;</li>
 *   <li>{@link LastQueries}: the other instances' {@code lastquery/<id>/<instance>}, for the idle check.</li>
 * </ul>
 * The operations of one service (claim, VM record, release) are made one after the other, in the order
 * they are asked ({@link ServiceOrder}). While etcd cannot be reached, {@code on-unavailable} decides
 * (here): {@code refuse} fails the boot (SERVFAIL), {@code boot-locally} boots without a claim (a second
 * boot elsewhere is possible) and leaves the claim to {@link Reconciliation}.
 */
final class EtcdCoordinator implements BootCoordinator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdCoordinator.class);

    private final Client client;
    private final EtcdCalls calls;
    private final EtcdKeys keys;
    private final StoreSettings.Etcd settings;
    private final ServiceOrder order = new ServiceOrder();
    private final EtcdLease lease;
    private final ResumingWatch claimsWatch;
    private final VmRecords vms;
    private final ClaimProtocol claims;
    private final Reconciliation reconciliation;
    private final LastQueries lastQueries;
    private final Disposable.Composite running = Disposables.composite();

    EtcdCoordinator(Client client, EtcdCalls calls, EtcdKeys keys, StoreSettings.Etcd settings) {
        this.client = client;
        this.calls = calls;
        this.keys = keys;
        this.settings = settings;
        String instance = settings.instanceId();
        this.lease = new EtcdLease(client, calls, settings.leaseTtl(), instance);
        this.claimsWatch = new ResumingWatch(client, keys.claims(), calls.io());
        this.vms = new VmRecords(client, calls, keys, order, instance);
        this.claims = new ClaimProtocol(client, calls, keys, lease, order, vms, claimsWatch, instance);
        this.reconciliation = new Reconciliation(claims, vms, order, claimsWatch, keys, instance);
        this.lastQueries = new LastQueries(client, calls, keys, instance);
    }

    /** Loads the others' last-query times, follows them and the claims, and keeps the lease alive. */
    Mono<Void> start() {
        return calls.call(() -> client.getKVClient().get(keys.lastQueries(), GetOption.builder().isPrefix(true).build()))
                .doOnNext(r -> {
                    lastQueries.load(r);
                    running.add(lastQueries.follow());
                    claimsWatch.seen(r.getHeader().getRevision());
                    running.add(reconciliation.watchClaims());
                    running.add(lease.keepAlive(new EtcdLease.Listener() {
                        @Override
                        public void answered() {
                            reconciliation.reconcile();
                        }

                        @Override
                        public void replaced(String why) {
                            claims.leaseReplaced(why);
                        }
                    }));
                })
                .then();
    }

    @Override
    public Mono<Claim> claim(String serviceId) {
        return claims.claim(serviceId).onErrorResume(e -> unavailable(serviceId, e));
    }

    private Mono<Claim> unavailable(String serviceId, Throwable error) {
        // etcd's own answer (a rejected user or password) named with its keys, else the error as it came
        String e = EtcdProblems.answered(error, settings).orElseGet(error::toString);
        if (settings.onUnavailable() == StoreSettings.OnUnavailable.BOOT_LOCALLY) {
            log.warn("service {}: etcd unavailable ({}); booting locally (store.etcd.on-unavailable: boot-locally)",
                    serviceId, e);
            reconciliation.bootedWithoutClaim(serviceId);
            return Mono.just(Claim.OWN);
        }
        return Mono.error(new IllegalStateException("etcd unavailable, boot refused"
                + " (store.etcd.on-unavailable: refuse): " + e, error));
    }

    @Override
    public void released(String serviceId, boolean runs) {
        if (!runs) {
            reconciliation.stopped(serviceId);
        }
        claims.released(serviceId, runs);
    }

    @Override
    public void runs(String serviceId, String vmHandle) {
        vms.runs(serviceId, vmHandle);
    }

    @Override
    public void forgotten(String serviceId) {
        lastQueries.forget(serviceId);
    }

    @Override
    public long lastQueryElsewhere(String serviceId) {
        return lastQueries.latest(serviceId);
    }

    @Override
    public void onLeftBehind(Consumer<String> listener) {
        reconciliation.onLeftBehind(listener);
    }

    /** Waits (at most 3 s) for the operations asked so far, so that a release on shutdown reaches etcd. */
    @Override
    public void close() {
        try {
            order.pending().timeout(Duration.ofSeconds(3)).block();
        } catch (RuntimeException e) {
            log.warn("store: closing with etcd operations still pending: {}", e.toString());
        }
        running.dispose();
        lastQueries.close();
        claimsWatch.close();
    }
}
