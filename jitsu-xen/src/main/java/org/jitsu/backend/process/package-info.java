/**
 * The {@code process} backend: each service is a local command serving on a loopback address, a
 * stand-in for a unikernel. Entry point: {@link org.jitsu.backend.process.ProcessBackendFactory}
 * (registered for {@link java.util.ServiceLoader}); everything else is package-private.
 *
 * <p>Shape: {@code LocalProcessBackend} owns the state directory, a bounded scheduler for blocking
 * work and the event sink; a {@code ProcessVm} per service decides which process is its own (the one it
 * started, or one adopted from its pidfile), the order of signals per stop mode and the exit events;
 * {@code ProcessLauncher} starts a command; {@code TrackedProcess} is one live pid and the signals and
 * {@code /proc} reads on it. Processes run in their own session ({@code setsid}), their output is
 * appended to a log, and a pidfile holding the pid and the process start time lets a restarted Jitsu
 * (or another instance) adopt them. Blocking work (fork/exec, {@code /proc}, pidfiles, signals) runs
 * on the backend's scheduler; grace periods and exit polls run on the injected timer.
 *
 * <p>Depends on: the JDK ({@code ProcessBuilder}, {@code ProcessHandle}, {@code /proc} through
 * {@code java.nio.file}), JNA for libc's {@code kill(2)} ({@code LibC}, {@code Signals}), Reactor,
 * SLF4J, the backend API, the SPI and {@link org.jitsu.settings}. Linux only ({@code /proc}).
 */
package org.jitsu.backend.process;
