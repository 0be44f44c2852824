package org.jitsu.server.store.etcd;

import static org.jitsu.server.store.etcd.EtcdKeys.text;

import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jitsu.server.store.etcd.ClaimValues.Holder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Puts etcd's view right after something happened without this instance's claim:
 * <ul>
 *   <li><b>boot-locally</b>: services booted here without a claim because etcd could not be reached
 *   ({@code on-unavailable: boot-locally}) are claimed once etcd answers again ({@link #reconcile});</li>
 *   <li><b>left behind</b>: a claim that disappears while its service's VM is on record as another
 *   instance's means that instance died (its lease expired, its VM records stay); the listeners of
 *   {@link org.jitsu.server.core.BootCoordinator#onLeftBehind} are told, so that the core claims it and
 *   takes the VM over ({@link #watchClaims}).</li>
 * </ul>
 */
final class Reconciliation {
    private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

    private final ClaimProtocol claims;
    private final VmRecords vms;
    private final ServiceOrder order;
    private final ResumingWatch claimsWatch;
    private final EtcdKeys keys;
    private final String instance;
    /** Services booted here without a claim because etcd could not be reached; claimed once it answers. */
    private final Set<String> bootedWithoutClaim = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> leftBehindListeners = new CopyOnWriteArrayList<>();

    Reconciliation(ClaimProtocol claims, VmRecords vms, ServiceOrder order, ResumingWatch claimsWatch, EtcdKeys keys,
                   String instance) {
        this.claims = claims;
        this.vms = vms;
        this.order = order;
        this.claimsWatch = claimsWatch;
        this.keys = keys;
        this.instance = instance;
    }

    // ---- boot-locally

    /** The service is booted here without a claim (etcd could not be reached). */
    void bootedWithoutClaim(String serviceId) {
        bootedWithoutClaim.add(serviceId);
    }

    /** The service no longer runs here: nothing to claim for it. */
    void stopped(String serviceId) {
        bootedWithoutClaim.remove(serviceId);
    }

    /**
     * Called when etcd answers again (a lease keep-alive succeeded): each service this instance booted
     * without a claim and still runs gets its claim {@code running <me>}, so that the other instances
     * answer it without booting. If another instance claimed it meanwhile (it booted the same service
     * while etcd was unreachable too, and reconciled first), both copies keep running: the claim stays
     * with the other, this instance stops its own copy when the service is idle everywhere (the idle
     * check uses every instance's last query), and the duplicate is logged once.
     */
    void reconcile() {
        for (String id : bootedWithoutClaim) {
            if (!claims.owns(id)) {
                continue; // still booting: the next tick claims it
            }
            claims.claimRunning(id).subscribe(r -> {
                if (r.isSucceeded()) {
                    if (bootedWithoutClaim.remove(id)) {
                        log.info("service {}: claimed now that etcd answers again (booted here while it"
                                + " could not be reached)", id);
                    }
                    return;
                }
                List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
                if (kvs.isEmpty()) {
                    return; // released in between: the next tick tries again
                }
                String value = text(kvs.get(0).getValue());
                Optional<Holder> holder = Holder.decode(value);
                if (holder.equals(Optional.of(Holder.booting(instance)))) {
                    claims.released(id, true); // a claim that went through late (jetcd retried it): now running
                }
                if (!bootedWithoutClaim.remove(id)) {
                    return; // another tick's answer came first
                }
                if (holder.isPresent() && holder.get().heldBy(instance)) {
                    log.info("service {}: claimed by this instance now that etcd answers again", id);
                } else {
                    log.warn("service {}: {} also booted it while etcd could not be reached and holds the"
                            + " claim; both copies keep running, and this instance stops its own when the"
                            + " service is idle everywhere", id,
                            holder.map(Holder::instance).orElse("an instance whose claim reads \"" + value + "\""));
                    // the VM record belongs to the claim's holder: left here, it would read as a VM
                    // a dead owner left behind once the holder releases the claim, and be taken over
                    order.inOrder(id, vms.forget(id)).subscribe(null, e -> log.debug(
                            "service {}: dropping its VM record failed: {}", id, e.toString()));
                }
            }, e -> log.debug("service {}: claiming after etcd came back failed: {}", id, e.toString()));
        }
    }

    // ---- left behind

    void onLeftBehind(Consumer<String> listener) {
        leftBehindListeners.add(listener);
    }

    /** Follows the deletions of claims (dispose to stop). */
    Disposable watchClaims() {
        return claimsWatch.events().subscribe(e -> {
            if (e.getEventType() == WatchEvent.EventType.DELETE) {
                claimGone(keys.claimId(e.getKeyValue().getKey()));
            }
        });
    }

    /** A claim disappeared: when its VM is still on record (another instance's), its owner died. */
    private void claimGone(String serviceId) {
        if (leftBehindListeners.isEmpty()) {
            return;
        }
        vms.get(serviceId).subscribe(r -> r.filter(left -> !left.instance().equals(instance)).ifPresent(left -> {
            log.info("service {}: the claim of {} expired with its VM on record ({}); taking it over",
                    serviceId, left.instance(), left.handle());
            leftBehindListeners.forEach(l -> l.accept(serviceId));
        }), e -> log.warn("service {}: cannot read its VM record: {}", serviceId, e.toString()));
    }
}
