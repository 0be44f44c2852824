/**
 * A scripted backend for tests and benchmarks: {@link org.jitsu.backend.testkit.ScriptedBackend}
 * hands out {@link org.jitsu.backend.testkit.ScriptedVm}s whose starts and stops do what the caller
 * says (complete at once on the caller's thread by default; wait for a gate, a sink, a virtual delay;
 * fail; never end), counts what it was asked, and emits the events a hypervisor would.
 *
 * <p>One kit for every tier: the pipeline's unit tests, the assembly's tests and the JMH benchmarks
 * all script the same classes, so a benchmark's boot does the same work a test's boot does. Never
 * registered as a backend type and never named by jitsu-server's main code (the dependency rule
 * checks that): it is here, in a main source tree, only so that jitsu-bench can use it.
 *
 * <p>{@link org.jitsu.backend.testkit.XenstoredServer} is a xenstored for tests: the daemon's wire
 * protocol on a Unix socket, which the real {@code libxenstore} reaches through {@code XENSTORED_PATH}
 * (Xen cannot run here), so that both modules' integration tests can play the hypervisor's store and
 * the guest's side of a boot.
 */
package org.jitsu.backend.testkit;
