package org.jitsu.server.store.etcd;

import static org.jitsu.server.store.etcd.EtcdKeys.bytes;
import static org.jitsu.server.store.etcd.EtcdKeys.text;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsu.server.store.etcd.ClaimValues.VmRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The VM records, {@code vms/<id>} = {@code <instance> <handle>} ({@link VmRecord}): which instance runs
 * the service's VM and how its backend finds it. <em>Not</em> bound to the lease, so that a record outlives
 * an owner that dies: written once the VM runs, deleted by the owner (before its claim) when it stops the
 * VM, and read by the claim transaction, so that the next owner can adopt the VM. This instance deletes a
 * record only while it is the one it wrote or took over (a transaction compares the value).
 */
final class VmRecords {
    private static final Logger log = LoggerFactory.getLogger(VmRecords.class);

    private final Client client;
    private final EtcdCalls calls;
    private final EtcdKeys keys;
    private final ServiceOrder order;
    private final String instance;
    /** The value this instance last wrote to {@code vms/<id>} (or took over): it deletes the key only while it is that. */
    private final Map<String, String> mine = new ConcurrentHashMap<>();

    VmRecords(Client client, EtcdCalls calls, EtcdKeys keys, ServiceOrder order, String instance) {
        this.client = client;
        this.calls = calls;
        this.keys = keys;
        this.order = order;
        this.instance = instance;
    }

    /** Writes that this instance runs the service's VM, {@code handle}, in order with its claim operations. */
    void runs(String serviceId, String handle) {
        String value = new VmRecord(instance, handle).encode();
        mine.put(serviceId, value);
        order.inOrder(serviceId, calls.call(() -> client.getKVClient().put(keys.vm(serviceId), bytes(value))))
                .subscribe(null, e -> log.warn("service {}: cannot record its VM in etcd: {}", serviceId, e.toString()));
    }

    /**
     * The record a won claim found is this instance's now: its release deletes it, unless it adopts the
     * VM (and {@link #runs} writes its own).
     */
    void tookOver(String serviceId, VmRecord record) {
        mine.put(serviceId, record.encode());
    }

    /** Deletes {@code vms/<id>} while it is what this instance wrote or took over (not in order: the caller orders it). */
    Mono<Void> forget(String serviceId) {
        return Mono.defer(() -> {
            String value = mine.remove(serviceId);
            if (value == null) {
                return Mono.<Void>empty();
            }
            ByteSequence key = keys.vm(serviceId);
            return calls.call(() -> client.getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bytes(value))))
                    .Then(Op.delete(key, DeleteOption.DEFAULT))
                    .commit()).then();
        });
    }

    /** The read of the record, as an operation of a transaction (the claim's). */
    Op read(String serviceId) {
        return Op.get(keys.vm(serviceId), GetOption.DEFAULT);
    }

    /** Reads the record. */
    Mono<Optional<VmRecord>> get(String serviceId) {
        return calls.call(() -> client.getKVClient().get(keys.vm(serviceId))).map(VmRecords::record);
    }

    /** The record a read found; empty when there is none or it cannot be read (it names no VM then). */
    static Optional<VmRecord> record(GetResponse r) {
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
}
