package org.jitsu.backend.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jitsu.backend.Backend;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.readiness.ReadinessChecks;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.testing.TestProcesses;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The process backend against real processes: busybox httpd, sleep and sh on 127.0.3.x. */
@Tag("native")
class ProcessBackendIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String ADDRESS = "127.0.3.10";

    @TempDir
    Path tmp;
    private Path stateDir;
    private Scheduler realTimer;
    private final List<Backend> backends = new ArrayList<>();
    /** Processes started for a test that are not descendants of this JVM (re-parented). */
    private final List<Long> orphans = new ArrayList<>();

    @BeforeEach
    void setUp() {
        stateDir = tmp.resolve("state");
        realTimer = Schedulers.newParallel("process-test-timer", 1);
    }

    @AfterEach
    void tearDown() {
        backends.forEach(Backend::close);
        TestProcesses.killDescendants();
        orphans.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        realTimer.dispose();
    }

    private Backend backend(Scheduler timer) {
        Backend b = new ProcessBackendFactory().create("local", Settings.of("backends.local", Map.of("threads", 2)),
                new BackendContext(stateDir.getParent(), timer));
        backends.add(b);
        return b;
    }

    private static Settings spec(List<String> command) {
        return Settings.of("services[0].process", Map.of("command", command));
    }

    /** {@code id} defined on {@code b} as {@code sleep 1000} and started (the start completes). */
    private static Vm startedSleeper(Backend b, String id) {
        Vm vm = b.define(id, spec(List.of("sleep", "1000")));
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        return vm;
    }

    /** A process that has run and exited (its PID is free or taken by another process now). */
    private static Process exited() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p;
    }

    private Path pidFile(String id) {
        return stateDir.getParent().resolve("local").resolve("pids").resolve(id + ".pid");
    }

    private long pidOf(String id) {
        return PidFile.read(pidFile(id)).orElseThrow(() -> new AssertionError("no pidfile for " + id)).pid();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && ProcStat.read(pid).map(s -> !s.dead()).orElse(false);
    }

    private static char procState(long pid) {
        return ProcStat.read(pid).orElseThrow().state();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private Vm httpd(Backend b, String id, int port) throws IOException {
        Path www = Files.createDirectories(tmp.resolve("www-" + id));
        Files.writeString(www.resolve("index.html"), "hello from " + id + "\n");
        return b.define(id, spec(List.of("busybox", "httpd", "-f", "-p", ADDRESS + ":" + port, "-h", www.toString())));
    }

    private void awaitHttp(int port) {
        StepVerifier.create(ReadinessChecks.standard().parse(Settings.of("services[0].readiness[0]",
                                Map.of("http", "http://" + ADDRESS + ":" + port + "/")), realTimer)
                        .await(null))
                .expectComplete()
                .verify(TIMEOUT);
    }

    private static VmState state(Vm vm) {
        return vm.state().block(TIMEOUT);
    }

    @Test
    void startServesHttpAndDestroyRemovesProcessAndPidfile() throws IOException {
        Backend b = backend(realTimer);
        int port = TestProcesses.freePort(ADDRESS);
        Vm vm = httpd(b, "web", port);
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);

        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("web");
        assertThat(alive(pid)).isTrue();
        assertThat(state(vm)).isEqualTo(VmState.RUNNING);
        // setsid: the service leads its own session and process group, so Ctrl-C on Jitsu does not reach it.
        ProcStat stat = ProcStat.read(pid).orElseThrow();
        assertThat(stat.session()).isEqualTo(pid);
        assertThat(stat.processGroup()).isEqualTo(pid);
        PidFile recorded = PidFile.read(pidFile("web")).orElseThrow();
        assertThat(recorded.started()).isEqualTo(ProcessHandle.of(pid).orElseThrow().info().startInstant().orElseThrow());
        awaitHttp(port);

        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(pidFile("web")).doesNotExist();
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
    }

    @Test
    void aBackendWithUserRunsItsCommandsAsThatUserAndStillStopsThem() throws IOException {
        RunAs.Credentials self = RunAs.Credentials.current();
        org.junit.jupiter.api.Assumptions.assumeTrue(self.uid() == 0, "switching users needs root");
        String[] nobody = RunAs.Accounts.system().user("nobody").orElseThrow();
        Backend b = new ProcessBackendFactory().create("local", Settings.of("backends.local",
                Map.of("threads", 2, "user", "nobody")), new BackendContext(stateDir.getParent(), realTimer));
        backends.add(b);
        int port = TestProcesses.freePort(ADDRESS);
        // JUnit's temp dir is the owner's alone: nobody must be able to read the pages below it
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Vm vm = httpd(b, "web", port);
        Files.setPosixFilePermissions(tmp.resolve("www-web"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("web");
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        RunAs.Credentials running = RunAs.Credentials.of(status);
        assertThat(running.uid()).as("the httpd's effective uid").isEqualTo(Integer.parseInt(nobody[1]));
        assertThat(running.gid()).as("the httpd's effective gid").isEqualTo(Integer.parseInt(nobody[2]));
        assertThat(running.effectiveCapabilities()).as("no capability kept across the switch").isZero();
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).getFileName().toString())
                .as("the pidfile names the command, not setsid or setpriv").isEqualTo("busybox");
        ProcStat stat = ProcStat.read(pid).orElseThrow();
        assertThat(stat.session()).as("still its own session").isEqualTo(pid);
        awaitHttp(port);

        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
    }

    @Test
    void startTwiceKeepsOneProcess() {
        Backend b = backend(realTimer);
        Vm vm = startedSleeper(b, "sleeper");
        long pid = pidOf("sleeper");
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        assertThat(pidOf("sleeper")).isEqualTo(pid);
    }

    @Test
    void outputIsAppendedToTheLog() throws IOException {
        Backend b = backend(realTimer);
        Path log = tmp.resolve("custom.log");
        Files.writeString(log, "earlier\n");
        Vm vm = b.define("talker", Settings.of("services[0].process", Map.of(
                "command", List.of("sh", "-c", "echo out-$GREETING; echo err >&2; exec sleep 1000"),
                "environment", Map.of("GREETING", "hi"),
                "log", log.toString())));
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("talker");
        TestProcesses.await("sh to exec sleep", TIMEOUT, () -> comm(pid).equals("sleep"));
        assertThat(Files.readAllLines(log)).containsExactly("earlier", "out-hi", "err");
    }

    @Test
    void shutdownKillsAProcessIgnoringSigtermAfterTheGrace() {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        Backend b = backend(timer);
        Vm vm = b.define("stubborn", spec(List.of("sh", "-c", "trap '' TERM; exec sleep 1000")));
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("stubborn");
        // Once sh has exec'd sleep, SIGTERM is ignored (an ignored signal stays ignored across exec).
        TestProcesses.await("sh to exec sleep", TIMEOUT, () -> comm(pid).equals("sleep"));

        CompletableFuture<Void> stopped = vm.stop(StopMode.SHUTDOWN, Duration.ofSeconds(30)).toFuture();
        TestProcesses.await("SIGTERM sent", TIMEOUT, () -> state(vm) == VmState.STOPPING);
        assertThat(alive(pid)).as("ignores SIGTERM, so still alive within the grace").isTrue();
        assertThat(stopped).isNotDone();

        // The grace runs on the virtual timer: advance it until the SIGKILL has been sent and seen.
        TestProcesses.await("stop after grace", TIMEOUT, () -> {
            timer.advanceTimeBy(Duration.ofSeconds(30));
            return stopped.isDone();
        });
        assertThat(stopped).isCompleted();
        assertThat(alive(pid)).isFalse();
        assertThat(pidFile("stubborn")).doesNotExist();
        timer.dispose();
    }

    @Test
    void shutdownOfAWellBehavedProcessDoesNotWaitForTheGrace() {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        Backend b = backend(timer);
        Vm vm = startedSleeper(b, "polite");
        long pid = pidOf("polite");
        // The virtual timer never advances: completing proves SIGTERM alone stopped it.
        StepVerifier.create(vm.stop(StopMode.SHUTDOWN, Duration.ofHours(1))).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(pidFile("polite")).doesNotExist();
        timer.dispose();
    }

    @Test
    void shutdownKillsTheWholeProcessGroup() {
        Backend b = backend(realTimer);
        Vm vm = b.define("family", spec(List.of("sh", "-c", "sleep 1000 & wait")));
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("family");
        TestProcesses.await("child sleep", TIMEOUT,
                () -> ProcessHandle.of(pid).map(h -> h.children().count() == 1).orElse(false));
        long child = ProcessHandle.of(pid).orElseThrow().children().findFirst().orElseThrow().pid();

        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        TestProcesses.await("grandchild gone", TIMEOUT, () -> !alive(child));
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void suspendPausesAndStartResumes() throws IOException {
        Backend b = backend(realTimer);
        int port = TestProcesses.freePort(ADDRESS);
        Vm vm = httpd(b, "pausable", port);
        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        long pid = pidOf("pausable");
        awaitHttp(port);

        StepVerifier.create(vm.stop(StopMode.SUSPEND, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(procState(pid)).isEqualTo('T');
        assertThat(state(vm)).isEqualTo(VmState.PAUSED);
        assertThat(pidFile("pausable")).exists();

        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        assertThat(procState(pid)).isNotEqualTo('T');
        assertThat(state(vm)).isEqualTo(VmState.RUNNING);
        assertThat(pidOf("pausable")).isEqualTo(pid);
        awaitHttp(port);
    }

    @Test
    void aSecondBackendOverTheSameStateDirAdoptsTheRunningProcess() {
        Backend first = backend(realTimer);
        Vm vm1 = startedSleeper(first, "adoptee");
        long pid = pidOf("adoptee");
        first.close();
        assertThat(alive(pid)).as("close() leaves processes running").isTrue();

        Backend second = backend(realTimer);
        Vm vm2 = second.define("adoptee", spec(List.of("sleep", "1000")));
        assertThat(state(vm2)).isEqualTo(VmState.RUNNING);
        StepVerifier.create(vm2.start()).expectComplete().verify(TIMEOUT);
        assertThat(pidOf("adoptee")).as("start adopts, does not spawn again").isEqualTo(pid);

        StepVerifier.create(vm2.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(pidFile("adoptee")).doesNotExist();
    }

    @Test
    void anotherInstanceAttachesByHandleAndThenOwnsTheProcess() {
        Backend mine = backend(realTimer);
        Vm vm1 = startedSleeper(mine, "shared");
        long pid = pidOf("shared");
        String handle = vm1.handle().block(TIMEOUT).orElseThrow();
        assertThat(handle).startsWith(pid + " ");

        // another Jitsu instance on the same host: its own state directory, so its own pidfiles
        Path otherRoot = tmp.resolve("other");
        Backend other = new ProcessBackendFactory().create("local", Settings.of("backends.local", Map.of()),
                new BackendContext(otherRoot, realTimer));
        backends.add(other);
        Vm vm2 = other.define("shared", spec(List.of("sleep", "1000")));
        Path otherPidFile = otherRoot.resolve("local").resolve("pids").resolve("shared.pid");
        assertThat(state(vm2)).as("its own pidfile knows nothing of it").isEqualTo(VmState.STOPPED);

        assertThat(vm2.attach(handle).block(TIMEOUT)).isEqualTo(VmState.RUNNING);
        assertThat(PidFile.read(otherPidFile).orElseThrow().pid()).isEqualTo(pid);
        StepVerifier.create(vm2.start()).expectComplete().verify(TIMEOUT);
        assertThat(PidFile.read(otherPidFile).orElseThrow().pid()).as("start after attach spawns nothing").isEqualTo(pid);
        assertThat(vm2.handle().block(TIMEOUT)).contains(handle);

        StepVerifier.create(vm2.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(otherPidFile).doesNotExist();
        assertThat(state(vm1)).isEqualTo(VmState.STOPPED);
        assertThat(vm1.handle().block(TIMEOUT)).isEmpty();
    }

    @Test
    void attachingToAProcessThatIsGoneOrToGarbageChangesNothing() throws Exception {
        Backend b = backend(realTimer);
        Vm vm = b.define("late", spec(List.of("sleep", "1000")));
        Process gone = exited();
        String handle = new PidFile(gone.pid(), gone.info().startInstant().orElse(Instant.now())).text();

        assertThat(vm.attach(handle).block(TIMEOUT)).isEqualTo(VmState.STOPPED);
        assertThat(vm.attach("not a handle").block(TIMEOUT)).isEqualTo(VmState.STOPPED);
        assertThat(pidFile("late")).doesNotExist();
        assertThat(vm.handle().block(TIMEOUT)).isEmpty();
    }

    @Test
    void adoptsAndStopsAProcessThatIsNotItsChild() throws Exception {
        // sh starts sleep in the background and exits: sleep is re-parented, no longer our child.
        Process sh = new ProcessBuilder("sh", "-c", "sleep 1000 >/dev/null 2>&1 </dev/null & echo $!")
                .redirectErrorStream(true).start();
        long pid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        orphans.add(pid);
        assertThat(sh.waitFor()).isZero();
        ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();
        assertThat(ProcessHandle.current().children().anyMatch(h -> h.pid() == pid)).isFalse();
        new PidFile(pid, orphan.info().startInstant().orElseThrow()).write(pidFile("orphan"));

        Backend b = backend(realTimer);
        Vm vm = b.define("orphan", spec(List.of("sleep", "1000")));
        assertThat(state(vm)).isEqualTo(VmState.RUNNING);
        StepVerifier.create(vm.stop(StopMode.SHUTDOWN, Duration.ofSeconds(30))).expectComplete().verify(TIMEOUT);
        assertThat(alive(pid)).isFalse();
        assertThat(pidFile("orphan")).doesNotExist();
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
    }

    @Test
    void aPidfileOfADeadProcessIsStale() throws Exception {
        Backend b = backend(realTimer);
        Vm vm = b.define("ghost", spec(List.of("sleep", "1000")));
        Process gone = exited();
        new PidFile(gone.pid(), Instant.now()).write(pidFile("ghost"));

        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
        assertThat(pidFile("ghost")).doesNotExist();
    }

    @Test
    void aPidfileWhoseStartTimeDiffersIsStaleAndThatProcessIsLeftAlone() throws Exception {
        Backend b = backend(realTimer);
        Vm vm = b.define("recycled", spec(List.of("sleep", "1000")));
        Process stranger = new ProcessBuilder("sleep", "1000").start();
        Instant wrong = stranger.info().startInstant().orElseThrow().minusSeconds(3600);
        new PidFile(stranger.pid(), wrong).write(pidFile("recycled"));

        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
        assertThat(pidFile("recycled")).doesNotExist();
        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(TIMEOUT);
        assertThat(stranger.isAlive()).as("a process that merely reuses the pid is never signalled").isTrue();

        StepVerifier.create(vm.start()).expectComplete().verify(TIMEOUT);
        assertThat(pidOf("recycled")).isNotEqualTo(stranger.pid());
    }

    @Test
    void aProcessExitingOnItsOwnIsReportedAsAnEvent() throws Exception {
        Backend b = backend(realTimer);
        Path fifo = tmp.resolve("go");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Vm vm = b.define("quitter", spec(List.of("sh", "-c", "read x < " + fifo + "; exit 3")));

        StepVerifier.create(b.events().take(1))
                .expectSubscription()
                .then(() -> {
                    vm.start().block(TIMEOUT);
                    // Opening the fifo for writing waits for sh to open it for reading.
                    CompletableFuture.runAsync(() -> {
                        try {
                            Files.writeString(fifo, "go\n", StandardCharsets.US_ASCII);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).orTimeout(5, TimeUnit.SECONDS).join();
                })
                .expectNext(new VmEvent("quitter", VmState.CRASHED, "exited with status 3"))
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(pidFile("quitter")).doesNotExist();
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
    }

    @Test
    void aProcessKilledFromOutsideIsReportedAsCrashed() {
        Backend b = backend(realTimer);
        Vm vm = startedSleeper(b, "victim");
        long pid = pidOf("victim");
        StepVerifier.create(b.events().take(1))
                .expectSubscription()
                .then(() -> ProcessHandle.of(pid).orElseThrow().destroyForcibly())
                .expectNext(new VmEvent("victim", VmState.CRASHED, "exited with status 137"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void stoppingIsNotReportedAsAnEvent() {
        Backend b = backend(realTimer);
        Vm vm = b.define("quiet", spec(List.of("sleep", "1000")));
        Vm other = b.define("other", spec(List.of("sleep", "1000")));
        StepVerifier.create(vm.start().then(other.start())).expectComplete().verify(TIMEOUT);
        long otherPid = pidOf("other");
        // Stop one (no event expected), then kill the other from outside: the first event must be the other's.
        StepVerifier.create(b.events().take(1))
                .expectSubscription()
                .then(() -> {
                    vm.stop(StopMode.DESTROY, Duration.ZERO).block(TIMEOUT);
                    ProcessHandle.of(otherPid).orElseThrow().destroyForcibly();
                })
                .assertNext(e -> assertThat(e.vmId()).isEqualTo("other"))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void anExecutableThatVanishedFailsToSpawn() throws IOException {
        Backend b = backend(realTimer);
        Path script = tmp.resolve("serve.sh");
        Files.writeString(script, "#!/bin/sh\nexec sleep 1000\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Vm vm = b.define("vanished", spec(List.of(script.toString())));
        Files.delete(script);

        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(BackendException.class)
                        .hasMessageContaining(script.toString())
                        .extracting(x -> ((BackendException) x).code()).isEqualTo("spawn-failed"))
                .verify(TIMEOUT);
        assertThat(pidFile("vanished")).doesNotExist();
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
    }

    @Test
    void aCommandThatCannotExecIsReportedWithStatusAndLog() throws IOException {
        Backend b = backend(realTimer);
        Path script = tmp.resolve("broken.sh");
        Files.writeString(script, "#!/nonexistent/interpreter\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        Vm vm = b.define("broken", spec(List.of(script.toString())));

        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(BackendException.class)
                        .hasMessageContaining("exited with status 127")
                        .hasMessageContaining("failed to execute")
                        .extracting(x -> ((BackendException) x).code()).isEqualTo("exited"))
                .verify(TIMEOUT);
        assertThat(pidFile("broken")).doesNotExist();
    }

    @Test
    void stoppingAStoppedVmIsANoOp() {
        Backend b = backend(realTimer);
        Vm vm = b.define("idle", spec(List.of("sleep", "1000")));
        for (StopMode mode : StopMode.values()) {
            StepVerifier.create(vm.stop(mode, Duration.ofSeconds(1))).expectComplete().verify(TIMEOUT);
        }
        assertThat(state(vm)).isEqualTo(VmState.STOPPED);
        assertThat(Optional.ofNullable(pidFile("idle").toFile().listFiles())).isEmpty();
    }
}
