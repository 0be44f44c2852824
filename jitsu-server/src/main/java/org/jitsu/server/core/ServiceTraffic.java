package org.jitsu.server.core;

import reactor.core.publisher.Mono;

/**
 * Traffic that reaches a service without passing through the core's requests: connections a proxy holds
 * or splices for it. The idle check asks it how recently the service had such traffic, and a stop lets
 * it drain the service's connections before the VM goes. Implementations answer from memory: both calls
 * are made under the service's lock or on the core's timer, and must not block.
 */
public interface ServiceTraffic {
    /** No traffic outside the core's requests (the default). */
    ServiceTraffic NONE = new ServiceTraffic() {
        @Override
        public long lastTraffic(String serviceId, long now) {
            return Long.MIN_VALUE;
        }

        @Override
        public Mono<Void> drain(String serviceId) {
            return Mono.empty();
        }
    };

    /**
     * The latest time, in milliseconds on the core's timer, at which this service had traffic of this
     * kind: {@code now} while a connection counts as active, {@link Long#MIN_VALUE} when it never had any.
     */
    long lastTraffic(String serviceId, long now);

    /**
     * Called before the service's VM is stopped (for idleness, by an operator, on reload or shutdown):
     * completes once the service's connections are closed, or closes them when its drain period ends.
     * Completes at once when it has none. Never errors.
     */
    Mono<Void> drain(String serviceId);
}
