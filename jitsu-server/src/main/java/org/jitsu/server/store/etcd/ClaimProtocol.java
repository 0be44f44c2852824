package org.jitsu.server.store.etcd;

import static org.jitsu.server.store.etcd.EtcdKeys.bytes;
import static org.jitsu.server.store.etcd.EtcdKeys.text;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.server.core.BootCoordinator.Claim;
import org.jitsu.server.store.etcd.ClaimValues.Holder;
import org.jitsu.server.store.etcd.ClaimValues.VmRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The claim protocol on {@code claims/<id>} = {@code booting <instance>} or {@code running <instance>}
 * ({@link Holder}), bound to this instance's {@link EtcdLease}:
 * <ul>
 *   <li><b>claim</b>: a transaction creates the key as {@code booting <me>} only if it does not exist, and
 *   reads the service's {@link VmRecords VM record} in the same transaction (a dead owner's VM, to adopt);
 *   when the key exists, it is read instead: ours from before (own), {@code running} elsewhere (answer),
 *   or {@code booting} elsewhere: {@link #follow follow} it until it says running or disappears (then
 *   claim again);</li>
 *   <li><b>release</b>: a boot that succeeded turns {@code booting <me>} into {@code running <me>}; a boot
 *   that failed, or a stop, deletes the VM record and then the claim, each only while it is this
 *   instance's, so that a claim gone while its VM is on record always means a dead owner;</li>
 *   <li><b>claim again</b> after the lease was replaced: the services this instance runs get
 *   {@code running <me>} under the new lease, unless another instance has claimed them meanwhile.</li>
 * </ul>
 * Claims and releases of one service are made in the order they are asked ({@link ServiceOrder}). Errors
 * are the caller's: the coordinator applies {@code on-unavailable} to them.
 */
final class ClaimProtocol {
    private static final Logger log = LoggerFactory.getLogger(ClaimProtocol.class);

    private final Client client;
    private final EtcdCalls calls;
    private final EtcdKeys keys;
    private final EtcdLease lease;
    private final ServiceOrder order;
    private final VmRecords vms;
    private final ResumingWatch claims;
    private final String instance;
    /** Services whose VM this instance runs: their claims are put back when the lease had to be replaced. */
    private final Set<String> owned = ConcurrentHashMap.newKeySet();

    ClaimProtocol(Client client, EtcdCalls calls, EtcdKeys keys, EtcdLease lease, ServiceOrder order, VmRecords vms,
                  ResumingWatch claims, String instance) {
        this.client = client;
        this.calls = calls;
        this.keys = keys;
        this.lease = lease;
        this.order = order;
        this.vms = vms;
        this.claims = claims;
        this.instance = instance;
    }

    /** Claims the boot of a service ({@link org.jitsu.server.core.BootCoordinator#claim}); fails when etcd does. */
    Mono<Claim> claim(String serviceId) {
        ByteSequence key = keys.claim(serviceId);
        return order.inOrder(serviceId, lease.id().flatMap(leaseId -> calls.call(() -> client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(Op.put(key, bytes(Holder.booting(instance).encode()),
                                        PutOption.builder().withLeaseId(leaseId).build()),
                                vms.read(serviceId))
                        .Else(Op.get(key, GetOption.DEFAULT))
                        .commit())))
                .flatMap(r -> {
                    if (r.isSucceeded()) {
                        Optional<VmRecord> left = r.getGetResponses().isEmpty() ? Optional.empty()
                                : VmRecords.record(r.getGetResponses().get(0));
                        left.ifPresent(l -> vms.tookOver(serviceId, l));
                        return Mono.just(left.map(l -> Claim.adopting(l.leftBehind())).orElse(Claim.OWN));
                    }
                    GetResponse got = r.getGetResponses().get(0);
                    if (got.getKvs().isEmpty()) {
                        return claim(serviceId); // deleted in between
                    }
                    String value = text(got.getKvs().get(0).getValue());
                    Optional<Holder> holder = Holder.decode(value);
                    if (holder.isPresent() && holder.get().heldBy(instance)) {
                        return Mono.just(Claim.OWN); // ours from before (e.g. a boot that failed to release)
                    }
                    if (holder.isPresent() && holder.get().runs()) {
                        return Mono.just(Claim.RUNNING_ELSEWHERE);
                    }
                    if (holder.isPresent()) {
                        log.info("service {}: {} claimed the boot; waiting for it", serviceId, holder.get().instance());
                    } else {
                        log.warn("service {}: its claim is not \"booting|running <instance>\" ({}); waiting until it"
                                + " says running or goes", serviceId, value);
                    }
                    return follow(serviceId, key);
                });
    }

    /**
     * Waits until the claim says running (→ RUNNING_ELSEWHERE) or disappears (→ claim again). The
     * changes come from the watch of {@code claims/} every instance keeps (it resumes after an etcd
     * restart and re-reads after a compaction); one read of the key after listening to it covers a
     * change that watch delivered before this follower listened.
     */
    private Mono<Claim> follow(String serviceId, ByteSequence key) {
        Mono<Boolean> changed = claims.events()
                .filter(e -> e.getKeyValue().getKey().equals(key))
                .concatMap(e -> e.getEventType() == WatchEvent.EventType.DELETE ? Mono.just(false)
                        : outcome(e.getKeyValue()))
                .next();
        Mono<Boolean> now = calls.call(() -> client.getKVClient().get(key))
                .onErrorResume(e -> Mono.empty()) // etcd unreachable: the watch resumes and tells
                .flatMap(r -> r.getKvs().isEmpty() ? Mono.just(false) : outcome(r.getKvs().get(0)));
        return Mono.firstWithValue(changed, now).publishOn(calls.io())
                .flatMap(runs -> runs ? Mono.just(Claim.RUNNING_ELSEWHERE) : claim(serviceId));
    }

    /** True when a claim says running; nothing while it still says booting (or cannot be read). */
    private static Mono<Boolean> outcome(KeyValue claim) {
        return Holder.decode(text(claim.getValue())).filter(Holder::runs).isPresent() ? Mono.just(true) : Mono.empty();
    }

    /** This instance's claim ends ({@link org.jitsu.server.core.BootCoordinator#released}), in order. */
    void released(String serviceId, boolean runs) {
        if (runs) {
            owned.add(serviceId);
        } else {
            owned.remove(serviceId);
        }
        ByteSequence key = keys.claim(serviceId);
        Mono<?> op = runs
                ? lease.id().flatMap(leaseId -> calls.call(() -> client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(Holder.booting(instance).encode()))))
                        .Then(Op.put(key, bytes(Holder.running(instance).encode()),
                                PutOption.builder().withLeaseId(leaseId).build()))
                        .commit()))
                // the VM record first: a claim gone while its VM is on record means a dead owner
                : vms.forget(serviceId).then(deleteIfMine(key, Holder.booting(instance)))
                        .then(deleteIfMine(key, Holder.running(instance)));
        order.inOrder(serviceId, op).subscribe(null,
                e -> log.warn("service {}: cannot update the claim in etcd: {}", serviceId, e.toString()));
    }

    private Mono<Void> deleteIfMine(ByteSequence key, Holder mine) {
        return calls.call(() -> client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(mine.encode()))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit()).then();
    }

    /** Whether this instance runs the service's VM (its boot succeeded or it adopted it, and it has not stopped). */
    boolean owns(String serviceId) {
        return owned.contains(serviceId);
    }

    /**
     * Creates {@code claims/<id>} = {@code running <me>} under the current lease if no instance holds the
     * claim; when one does, the response's one read is the claim. Not in order: for claims this instance
     * lost (lease replaced) or never made (booted while etcd was unreachable).
     */
    Mono<TxnResponse> claimRunning(String serviceId) {
        ByteSequence key = keys.claim(serviceId);
        return lease.id().flatMap(leaseId -> calls.call(() -> client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, bytes(Holder.running(instance).encode()),
                        PutOption.builder().withLeaseId(leaseId).build()))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit()));
    }

    /** The lease was replaced ({@code why}): the claims of the services this instance runs went with it. */
    void leaseReplaced(String why) {
        log.warn("store: the lease of instance {} is {}; taking a new one and claiming again the {} services"
                + " it runs", instance, why, owned.size());
        for (String id : owned) {
            claimRunning(id).subscribe(r -> {
                if (!r.isSucceeded()) {
                    log.warn("service {}: another instance claimed it while this one's lease was lost;"
                            + " both may run it now", id);
                }
            }, e -> log.warn("service {}: cannot claim it again: {}", id, e.toString()));
        }
    }
}
