package org.jitsu.server.store.etcd;

import static org.jitsu.server.store.etcd.EtcdKeys.bytes;
import static org.jitsu.server.store.etcd.EtcdKeys.text;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.store.etcd.ClaimValues.Holder;
import org.jitsu.server.store.etcd.ClaimValues.VmRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * {@link BootCoordinator} on etcd. Keys under the prefix:
 * <ul>
 *   <li>{@code claims/<id>}: {@code booting <instance>} or {@code running <instance>}, bound to the
 *   instance's lease. A boot starts with a transaction that creates it only if it does not exist; the
 *   losers watch it until it says running (and answer then) or disappears (and claim again). When the
 *   owner dies, its lease expires, the key disappears and the next query on another instance claims.</li>
 *   <li>{@code lastquery/<id>/<instance>}: the last query time an instance saw (epoch ms), written at most
 *   once per idle-check interval per service (see {@link EtcdStore#putRecord}); every instance watches
 *   them, so the idle check reads the others' times from memory.</li>
 *   <li>{@code vms/<id>}: {@code <instance> <handle>}, the VM the owner started or adopted (its backend's
 *   {@code Vm.handle()}), <em>not</em> bound to a lease: written once the VM runs, deleted (before the
 *   claim) when the owner stops it. A claim that wins reads it in the same transaction; when it is
 *   there, the previous owner died without stopping its VM, and the winner adopts it if it still runs.
 *   Every instance watches {@code claims/}: a claim that disappears while its VM is on record means its
 *   owner died, and the instances take the VM over (one wins the claim, the others follow).</li>
 * </ul>
 * The operations of one service (claim, runs, release) are made one after the other, in the order they
 * are asked: a release still on its way can never delete the claim that the next boot just took.
 * While etcd cannot be reached, {@code on-unavailable} decides: {@code refuse} fails the boot (SERVFAIL),
 * {@code boot-locally} boots without a claim (a second boot elsewhere is possible).
 */
final class EtcdCoordinator implements BootCoordinator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdCoordinator.class);

    private final Client client;
    private final Scheduler io;
    private final EtcdCalls calls;
    private final EtcdKeys keys;
    private final StoreSettings.Etcd settings;
    private final String instance;
    private final Map<String, Long> elsewhere = new ConcurrentHashMap<>();
    private final ResumingWatch lastQueries;
    private final ResumingWatch claims;
    private final List<Consumer<String>> leftBehindListeners = new CopyOnWriteArrayList<>();
    /** The value this instance last wrote to {@code vms/<id>}: it deletes the key only while it is that. */
    private final Map<String, String> vmWritten = new ConcurrentHashMap<>();
    /** Per service: completes when the last operation asked for it has ended (see {@link #inOrder}). */
    private final Map<String, Sinks.Empty<Void>> tails = new ConcurrentHashMap<>();
    private final Disposable.Composite running = reactor.core.Disposables.composite();
    private volatile Mono<Long> lease;
    /** Services whose VM this instance runs: their claims are put back when the lease had to be replaced. */
    private final java.util.Set<String> owned = ConcurrentHashMap.newKeySet();

    EtcdCoordinator(Client client, EtcdCalls calls, EtcdKeys keys, StoreSettings.Etcd settings) {
        this.client = client;
        this.io = calls.io();
        this.calls = calls;
        this.keys = keys;
        this.settings = settings;
        this.instance = settings.instanceId();
        this.lease = newLease();
        this.lastQueries = new ResumingWatch(client, keys.lastQueries(), io);
        this.claims = new ResumingWatch(client, keys.claims(), io);
    }

    /** Loads the others' last-query times, follows them and the claims, and keeps the lease alive. */
    Mono<Void> start() {
        return call(() -> client.getKVClient().get(keys.lastQueries(), GetOption.builder().isPrefix(true).build()))
                .doOnNext(r -> {
                    lastQueries.seen(r.getHeader().getRevision());
                    r.getKvs().forEach(this::lastQuery);
                    running.add(lastQueries.events().subscribe(e -> {
                        if (e.getEventType() == WatchEvent.EventType.PUT) {
                            lastQuery(e.getKeyValue());
                        }
                    }));
                    claims.seen(r.getHeader().getRevision());
                    running.add(claims.events().subscribe(e -> {
                        if (e.getEventType() == WatchEvent.EventType.DELETE) {
                            claimGone(keys.claimId(e.getKeyValue().getKey()));
                        }
                    }));
                    long every = Math.max(200, settings.leaseTtl().toMillis() / 3);
                    running.add(Flux.interval(Duration.ofMillis(every), io).subscribe(t -> keepAlive()));
                })
                .then();
    }

    /** A claim disappeared: when its VM is still on record (another instance's), its owner died. */
    private void claimGone(String serviceId) {
        if (leftBehindListeners.isEmpty()) {
            return;
        }
        call(() -> client.getKVClient().get(keys.vm(serviceId)))
                .subscribe(r -> vmRecord(r).filter(left -> !left.instance().equals(instance)).ifPresent(left -> {
                    log.info("service {}: the claim of {} expired with its VM on record ({}); taking it over",
                            serviceId, left.instance(), left.handle());
                    leftBehindListeners.forEach(l -> l.accept(serviceId));
                }), e -> log.warn("service {}: cannot read its VM record: {}", serviceId, e.toString()));
    }

    /** The VM record a read found; empty when there is none or it cannot be read (it names no VM then). */
    private static Optional<VmRecord> vmRecord(GetResponse r) {
        if (r.getKvs().isEmpty()) {
            return Optional.empty();
        }
        String value = text(r.getKvs().get(0).getValue());
        Optional<VmRecord> record = VmRecord.decode(value);
        if (record.isEmpty()) {
            log.warn("store: ignoring {}: not \"<instance> <handle>\": {}", text(r.getKvs().get(0).getKey()), value);
        }
        return record;
    }

    @Override
    public void onLeftBehind(Consumer<String> listener) {
        leftBehindListeners.add(listener);
    }

    /**
     * {@code op} once the operations asked before it for the same service have ended (in whatever way),
     * so that they reach etcd in the order they were asked.
     */
    private <T> Mono<T> inOrder(String serviceId, Mono<T> op) {
        return Mono.defer(() -> {
            Sinks.Empty<Void> done = Sinks.empty();
            Sinks.Empty<Void> before = tails.put(serviceId, done);
            Mono<Void> previous = before == null ? Mono.empty() : before.asMono();
            return previous.then(op).doFinally(signal -> {
                tails.remove(serviceId, done);
                done.tryEmitEmpty();
            });
        });
    }

    private void lastQuery(KeyValue kv) {
        Optional<EtcdKeys.LastQueryKey> key = keys.lastQueryKey(kv.getKey());
        if (key.isEmpty() || key.get().instance().equals(instance)) {
            return;
        }
        try {
            long at = Long.parseLong(text(kv.getValue()));
            elsewhere.merge(key.get().serviceId(), at, Math::max);
        } catch (NumberFormatException e) {
            log.warn("store: ignoring {}: not a time", text(kv.getKey()));
        }
    }

    private Mono<Long> newLease() {
        return call(() -> client.getLeaseClient().grant(settings.leaseTtl().toSeconds()))
                .map(r -> r.getID())
                .doOnNext(id -> log.info("store: instance {} holds lease {} (ttl {} s)", instance,
                        Long.toHexString(id), settings.leaseTtl().toSeconds()))
                .cache(v -> Duration.ofDays(3650), e -> Duration.ZERO, () -> Duration.ZERO);
    }

    private void keepAlive() {
        Mono<Long> current = lease;
        current.flatMap(id -> call(() -> client.getLeaseClient().keepAliveOnce(id)))
                .subscribe(r -> {
                    if (r.getTTL() <= 0) {
                        lost(current, "expired");
                    } else {
                        reconcile();
                    }
                }, e -> {
                    if (EtcdErrors.is(e, EtcdErrors.Known.LEASE_NOT_FOUND)) {
                        lost(current, "not found");
                    } else {
                        log.debug("store: lease keep-alive failed: {}", e.toString());
                    }
                });
    }

    private void lost(Mono<Long> old, String why) {
        if (lease == old) {
            log.warn("store: the lease of instance {} is {}; taking a new one and claiming again the {} services"
                    + " it runs", instance, why, owned.size());
            lease = newLease();
            for (String id : owned) {
                ByteSequence key = keys.claim(id);
                lease.flatMap(leaseId -> call(() -> client.getKVClient().txn()
                                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                                .Then(Op.put(key, bytes(Holder.running(instance).encode()),
                                        PutOption.builder().withLeaseId(leaseId).build()))
                                .commit()))
                        .subscribe(r -> {
                            if (!r.isSucceeded()) {
                                log.warn("service {}: another instance claimed it while this one's lease was lost;"
                                        + " both may run it now", id);
                            }
                        }, e -> log.warn("service {}: cannot claim it again: {}", id, e.toString()));
            }
        }
    }

    private <T> Mono<T> call(Supplier<CompletableFuture<T>> f) {
        return calls.call(f);
    }

    @Override
    public Mono<Claim> claim(String serviceId) {
        ByteSequence key = keys.claim(serviceId);
        ByteSequence vm = keys.vm(serviceId);
        Mono<Claim> attempt = inOrder(serviceId, lease.flatMap(leaseId -> call(() -> client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(Op.put(key, bytes(Holder.booting(instance).encode()),
                                        PutOption.builder().withLeaseId(leaseId).build()),
                                Op.get(vm, GetOption.DEFAULT))
                        .Else(Op.get(key, GetOption.DEFAULT))
                        .commit())))
                .flatMap(r -> {
                    if (r.isSucceeded()) {
                        Optional<VmRecord> left = r.getGetResponses().isEmpty() ? Optional.empty()
                                : vmRecord(r.getGetResponses().get(0));
                        // the record is this owner's now: its release deletes it unless it adopts (runs)
                        left.ifPresent(l -> vmWritten.put(serviceId, l.encode()));
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
        return attempt.onErrorResume(e -> unavailable(serviceId, e));
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
        Mono<Boolean> now = call(() -> client.getKVClient().get(key))
                .onErrorResume(e -> Mono.empty()) // etcd unreachable: the watch resumes and tells
                .flatMap(r -> r.getKvs().isEmpty() ? Mono.just(false) : outcome(r.getKvs().get(0)));
        return Mono.firstWithValue(changed, now).publishOn(io)
                .flatMap(runs -> runs ? Mono.just(Claim.RUNNING_ELSEWHERE) : claim(serviceId));
    }

    /** True when a claim says running; nothing while it still says booting (or cannot be read). */
    private static Mono<Boolean> outcome(KeyValue claim) {
        return Holder.decode(text(claim.getValue())).filter(Holder::runs).isPresent() ? Mono.just(true) : Mono.empty();
    }

    private Mono<Claim> unavailable(String serviceId, Throwable error) {
        // etcd's own answer (a rejected user or password) named with its keys, else the error as it came
        String e = EtcdProblems.answered(error, settings).orElseGet(error::toString);
        if (settings.onUnavailable() == StoreSettings.OnUnavailable.BOOT_LOCALLY) {
            log.warn("service {}: etcd unavailable ({}); booting locally (store.etcd.on-unavailable: boot-locally)",
                    serviceId, e);
            bootedWithoutClaim.add(serviceId);
            return Mono.just(Claim.OWN);
        }
        return Mono.error(new IllegalStateException("etcd unavailable, boot refused"
                + " (store.etcd.on-unavailable: refuse): " + e, error));
    }

    @Override
    public void released(String serviceId, boolean runs) {
        if (runs) {
            owned.add(serviceId);
        } else {
            owned.remove(serviceId);
            bootedWithoutClaim.remove(serviceId);
        }
        ByteSequence key = keys.claim(serviceId);
        Mono<?> op = runs
                ? lease.flatMap(leaseId -> call(() -> client.getKVClient().txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(Holder.booting(instance).encode()))))
                        .Then(Op.put(key, bytes(Holder.running(instance).encode()),
                                PutOption.builder().withLeaseId(leaseId).build()))
                        .commit()))
                // the VM record first: a claim gone while its VM is on record means a dead owner
                : forgetVm(serviceId).then(deleteIfMine(key, Holder.booting(instance)))
                        .then(deleteIfMine(key, Holder.running(instance)));
        inOrder(serviceId, op).subscribe(null,
                e -> log.warn("service {}: cannot update the claim in etcd: {}", serviceId, e.toString()));
    }

    @Override
    public void runs(String serviceId, String vmHandle) {
        String value = new VmRecord(instance, vmHandle).encode();
        vmWritten.put(serviceId, value);
        inOrder(serviceId, call(() -> client.getKVClient().put(keys.vm(serviceId), bytes(value))))
                .subscribe(null, e -> log.warn("service {}: cannot record its VM in etcd: {}", serviceId, e.toString()));
    }

    /** Deletes {@code vms/<id>} while it is what this instance wrote. */
    private Mono<Void> forgetVm(String serviceId) {
        return Mono.defer(() -> {
            String mine = vmWritten.remove(serviceId);
            if (mine == null) {
                return Mono.<Void>empty();
            }
            ByteSequence key = keys.vm(serviceId);
            return call(() -> client.getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(mine))))
                    .Then(Op.delete(key, DeleteOption.DEFAULT))
                    .commit()).then();
        });
    }

    private Mono<Void> deleteIfMine(ByteSequence key, Holder mine) {
        return call(() -> client.getKVClient().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(mine.encode()))))
                .Then(Op.delete(key, DeleteOption.DEFAULT))
                .commit()).then();
    }

    // ---- reconciliation after boots made while etcd was unreachable (on-unavailable: boot-locally)

    /** Services booted here without a claim because etcd could not be reached; claimed once it answers. */
    private final java.util.Set<String> bootedWithoutClaim = ConcurrentHashMap.newKeySet();

    /**
     * Called when etcd answers again (a lease keep-alive succeeded): each service this instance booted
     * without a claim and still runs gets its claim {@code running <me>}, so that the other instances
     * answer it without booting. If another instance claimed it meanwhile (it booted the same service
     * while etcd was unreachable too, and reconciled first), both copies keep running: the claim stays
     * with the other, this instance stops its own copy when the service is idle everywhere (the idle
     * check uses every instance's last query), and the duplicate is logged once.
     */
    private void reconcile() {
        for (String id : bootedWithoutClaim) {
            if (!owned.contains(id)) {
                continue; // still booting: the next tick claims it
            }
            ByteSequence key = keys.claim(id);
            lease.flatMap(leaseId -> call(() -> client.getKVClient().txn()
                            .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                            .Then(Op.put(key, bytes(Holder.running(instance).encode()),
                                    PutOption.builder().withLeaseId(leaseId).build()))
                            .Else(Op.get(key, GetOption.DEFAULT))
                            .commit()))
                    .subscribe(r -> {
                        if (r.isSucceeded()) {
                            if (bootedWithoutClaim.remove(id)) {
                                log.info("service {}: claimed now that etcd answers again (booted here while it"
                                        + " could not be reached)", id);
                            }
                            return;
                        }
                        java.util.List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
                        if (kvs.isEmpty()) {
                            return; // released in between: the next tick tries again
                        }
                        String value = text(kvs.get(0).getValue());
                        Optional<Holder> holder = Holder.decode(value);
                        if (holder.equals(Optional.of(Holder.booting(instance)))) {
                            released(id, true); // a claim that went through late (jetcd retried it): now running
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
                            inOrder(id, forgetVm(id)).subscribe(null, e -> log.debug(
                                    "service {}: dropping its VM record failed: {}", id, e.toString()));
                        }
                    }, e -> log.debug("service {}: claiming after etcd came back failed: {}", id, e.toString()));
        }
    }

    @Override
    public long lastQueryElsewhere(String serviceId) {
        Long at = elsewhere.get(serviceId);
        return at == null ? Long.MIN_VALUE : at;
    }

    /** Waits (at most 3 s) for the operations asked so far, so that a release on shutdown reaches etcd. */
    @Override
    public void close() {
        List<Mono<Void>> pending = new java.util.ArrayList<>();
        tails.values().forEach(t -> pending.add(t.asMono()));
        try {
            Mono.when(pending).timeout(Duration.ofSeconds(3)).block();
        } catch (RuntimeException e) {
            log.warn("store: closing with etcd operations still pending: {}", e.toString());
        }
        running.dispose();
        lastQueries.close();
        claims.close();
    }
}
