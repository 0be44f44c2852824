/**
 * The standard readiness checks, run after a VM starts and before its address is announced:
 * {@code backend: running}, {@code tcp: ADDRESS:PORT}, {@code http: URL} and {@code delay: DURATION},
 * one public {@link org.jitsu.backend.spi.ReadinessCheckFactory} each (registered for
 * {@link java.util.ServiceLoader}) and package-private checks. {@link
 * org.jitsu.backend.readiness.ReadinessChecks} is the registry: it loads every registered factory, its
 * own and any other on the class path, and dispatches an item to the factory for its key.
 *
 * <p>Network checks take IP literals only (nothing is looked up) and make each attempt on a fresh
 * non-blocking connection, a JDK {@code AsynchronousSocketChannel} (no Netty, no {@code HttpClient}:
 * see {@code HttpCheck}); every check retries with back-off on the injected timer until the pipeline
 * cancels it at the boot timeout.
 *
 * <p>Depends on: the JDK ({@code java.net}, {@code java.nio.channels}), Reactor, the backend API
 * ({@link org.jitsu.backend.ReadinessCheck}, {@link org.jitsu.backend.Vm}), the SPI and
 * {@link org.jitsu.settings}. Not on any backend implementation: {@code backend: running} asks the
 * {@code Vm} for its state.
 */
package org.jitsu.backend.readiness;
