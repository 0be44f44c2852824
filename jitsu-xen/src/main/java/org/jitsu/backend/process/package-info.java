/**
 * The {@code process} backend: each service is a local command serving on a loopback address, a
 * stand-in for a unikernel. Entry point: {@link org.jitsu.backend.process.ProcessBackendFactory}
 * (registered for {@link java.util.ServiceLoader}).
 *
 * <p>Processes run in their own session ({@code setsid}), their output is appended to a log, and a
 * pidfile holding the pid and the process start time lets a restarted Jitsu adopt them. Signals go
 * through libc's {@code kill(2)} via JNA, to the whole process group when the service leads one.
 * Blocking work runs on the backend's bounded scheduler; grace periods run on the injected timer.
 */
package org.jitsu.backend.process;
