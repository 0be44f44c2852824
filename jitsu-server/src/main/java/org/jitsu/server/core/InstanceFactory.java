package org.jitsu.server.core;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.Vm;

/**
 * Makes the VM and readiness checks of one instance of a template, from the values of its name's
 * captures and its addresses. Called once per new instance, off the warm path; may block briefly
 * (a backend validates the spec) but must not wait on I/O.
 */
@FunctionalInterface
public interface InstanceFactory {

    /**
     * @param instanceId the instance's id: the template id, a dot, and the captured labels joined by dots
     * @param values every capture by name, and {@code instance} (the id), {@code address} (its IPv4
     *     address, when it has one) and {@code address6} (its IPv6 address, when it has one)
     * @throws RuntimeException when the backend refuses the instance: the name is refused and logged
     */
    Parts create(String instanceId, Map<String, String> values);

    /**
     * The values an instance's spec is filled with: {@code captures} (by name), {@code instance}, with
     * replicas {@code replica} (1-based; 0: none), and {@code address} / {@code address6} from
     * {@code addresses}. For a template's instances and a service's replicas alike.
     */
    static Map<String, String> values(Map<String, String> captures, String instanceId, int replica,
                                      List<InetAddress> addresses) {
        Map<String, String> out = new HashMap<>(captures);
        out.put("instance", instanceId);
        if (replica > 0) {
            out.put("replica", Integer.toString(replica));
        }
        for (InetAddress a : addresses) {
            out.put(a.getAddress().length == 4 ? "address" : "address6", a.getHostAddress());
        }
        return Map.copyOf(out);
    }

    /** The VM of an instance and its readiness checks. */
    record Parts(Vm vm, List<ReadinessCheck> readiness) {
        public Parts {
            Objects.requireNonNull(vm, "vm");
            readiness = List.copyOf(readiness);
        }
    }
}
