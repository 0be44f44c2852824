package org.jitsu.server.core;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jitsu.server.core.ServiceStatus.State;

/**
 * One known instance of a template: its runtime (with replicas, one per replica, replica 1 first: the
 * one whose lookups and retirement stand for the instance), the addresses of each, its replica set,
 * and whether it holds a place under maxRunning.
 */
final class KnownInstance {
    final String key;
    final ServiceRuntime runtime;
    final List<ServiceRuntime> replicas;
    final List<List<InetAddress>> addresses;
    final ReplicaSet set;
    final Admission.Admitted admitted;
    final AtomicBoolean counted = new AtomicBoolean();

    KnownInstance(String key, List<ServiceRuntime> replicas, List<List<InetAddress>> addresses, ReplicaSet set) {
        this.key = key;
        this.replicas = List.copyOf(replicas);
        this.runtime = this.replicas.get(0);
        this.addresses = List.copyOf(addresses);
        this.set = set;
        this.admitted = new Admission.Admitted(runtime, set);
    }

    /** True when a replica boots, runs or stops (what holds a place under maxRunning). */
    boolean anyActive() {
        for (ServiceRuntime r : replicas) {
            State s = r.currentState();
            if (s == State.BOOTING || s == State.RUNNING || s == State.STOPPING) {
                return true;
            }
        }
        return false;
    }
}
