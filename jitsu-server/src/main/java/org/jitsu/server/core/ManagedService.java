package org.jitsu.server.core;

import reactor.core.publisher.Mono;

/**
 * One service of the {@link OnDemandCore}, as its clients (the DNS authority, an operator, later a
 * connection-holding proxy) use it. Thread-safe; nothing here blocks.
 *
 * <p>The warm path is {@link #warm()}: when it returns true the caller answers from what it already
 * holds. It is a volatile write and two volatile reads, with no allocation, so a client that keeps
 * prebuilt answers stays allocation-free for running services. Everything else is the cold path.
 */
public interface ManagedService {

    /** The service id. */
    String id();

    /** What it runs. */
    ServiceDefinition definition();

    /**
     * The warm path: when the service runs, counts one request answered at once (refreshing the idle
     * clock) and returns true; otherwise returns false and does nothing (the caller then calls
     * {@link #ensureRunning()}). Allocates nothing.
     */
    boolean warm();

    /**
     * Makes sure the service runs, counting as traffic: completes with its endpoints at once when it runs
     * (the same scalar {@code Mono} every time), or once a boot — shared by every caller that arrives
     * while it is in flight — is ready. Errors with {@link ServiceUnavailableException} when the boot
     * fails, times out or is refused by the limits; never completes empty.
     */
    Mono<Endpoints> ensureRunning();

    /**
     * Counts traffic that needs no endpoints: refreshes the idle clock of a running service, starts a
     * boot of a stopped one in the background. Never waits.
     */
    void touch();

    /**
     * An operator's start: boots the service when it does not run (joining a boot in flight) without
     * counting as traffic. Completes once it runs; errors with {@link ServiceUnavailableException}.
     */
    Mono<Void> start();

    /**
     * An operator's (or a reload's, or a shutdown's) stop with the service's stop mode; {@code reason}
     * goes to the log and the metrics. Waits for a boot in flight to end first; completes when the
     * service is stopped (at once when it is not running).
     */
    Mono<Void> stop(String reason);

    /** A snapshot of its state and counters. */
    ServiceStatus status();
}
