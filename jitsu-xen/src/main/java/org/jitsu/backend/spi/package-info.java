/**
 * The service provider interfaces through which the server finds implementations by name, with
 * {@link java.util.ServiceLoader} ({@code META-INF/services}): a
 * {@link org.jitsu.backend.spi.BackendFactory} per backend {@code type:} (given a
 * {@link org.jitsu.backend.spi.BackendContext}: state directory and timer), and a
 * {@link org.jitsu.backend.spi.ReadinessCheckFactory} per key of a {@code readiness:} item. Adding a
 * backend or a readiness check is adding a factory and one line in a services file.
 *
 * <p>Depends on: the backend API ({@link org.jitsu.backend}), {@link org.jitsu.settings} (factories
 * parse their config and report {@link org.jitsu.settings.ConfigException}s) and Reactor's
 * {@code Scheduler}. Implementations depend on this package, never this package on them.
 */
package org.jitsu.backend.spi;
