package org.jitsu.backend;

import java.util.EnumSet;
import java.util.Set;
import org.jitsu.settings.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A place where VMs run: a hypervisor connection, or the local process table.
 *
 * <p>A backend is created from its section of the config by a {@link org.jitsu.backend.spi.BackendFactory}.
 * Every method is non-blocking: blocking toolstack calls run on the backend's own bounded scheduler,
 * never on the caller's thread.
 */
public interface Backend extends AutoCloseable {

    /** The name this backend has in the config ({@code backends.NAME}). */
    String name();

    /** The backend type, e.g. {@code process} or {@code libvirt}. */
    String type();

    /**
     * Validates a service's backend spec and returns the handle of its VM. Nothing is started.
     *
     * @param serviceId the service's id, unique in the config
     * @param spec the service's backend section ({@code services[i].<type>})
     * @throws org.jitsu.settings.ConfigException naming the key when the spec is invalid
     */
    Vm define(String serviceId, Settings spec);

    /**
     * State changes the backend observed on its own (a process exited, a domain crashed or was
     * destroyed from outside). Hot: subscribers see what happens after they subscribe.
     */
    Flux<VmEvent> events();

    /** Releases the backend's resources. VMs are left as they are. */
    @Override
    void close();

    /**
     * The stop modes this backend supports; a service asking for another is rejected when the config
     * is checked. By default destroy, shutdown and suspend.
     */
    default Set<StopMode> stopModes() {
        return EnumSet.of(StopMode.DESTROY, StopMode.SHUTDOWN, StopMode.SUSPEND);
    }

    /**
     * Forgets a VM this backend defined and that nothing will use again (a template's forgotten
     * instance, a check's sample): what the backend keeps for it is dropped. The VM itself is left as it
     * is (it is stopped by then). By default nothing is kept, so nothing happens.
     */
    default void release(Vm vm) {
    }

    /** Completes once the backend can take requests (connection open); errors if it cannot. */
    default Mono<Void> ready() {
        return Mono.empty();
    }
}
