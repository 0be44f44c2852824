package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.jitsu.backend.xenstore.XenstoreCheckFactory;
import org.jitsu.backend.testkit.XenstoredServer;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.DomainInfo;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * A unikernel's boot through Xenstore, end to end with real libraries: the domain on libvirt's test
 * driver (it takes Xen XML and gives domain ids), its configuration written through Debian's
 * {@code libxenstore} into {@link XenstoredServer} while the domain is paused, and the readiness check
 * {@code xenstore:} waiting on a watch for the key the "guest" (the test) writes.
 */
@Tag("native")
class XenstoreBootIT {
    private static final Duration T = Duration.ofSeconds(10);
    private static XenstoredServer xenstored;

    @TempDir
    Path dir;
    private Scheduler timer;
    private LibvirtBackend backend;

    @BeforeAll
    static void startXenstored() throws Exception {
        Path socket = Path.of(System.getenv("XENSTORED_PATH"));
        Files.createDirectories(socket.getParent());
        xenstored = XenstoredServer.start(socket);
    }

    @AfterAll
    static void stopXenstored() {
        xenstored.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        timer = Schedulers.newSingle("test-timer");
        backend = (LibvirtBackend) new LibvirtBackendFactory()
                .create("xen", TestNode.backendSettings(TestNode.write(dir)), new BackendContext(dir, timer));
        xenstored.onCommit(c -> { });
        xenstored.reset(); // every test's fresh test-driver node gives its first domain id 1
    }

    @AfterEach
    void tearDown() {
        backend.close();
        timer.dispose();
    }

    private LibvirtVm rumprunGuest(String name) {
        return backend.define(name, TestNode.spec(0, Map.of(
                "template", TestNode.template("xen-pv.xml"),
                "vars", Map.of("name", name, "memory", 32768, "vcpus", 1, "kernel", "/srv/rumprun/httpd.bin",
                        "cmdline", ""),
                "xenstore", ordered( // as YAML gives it: in the file's order
                        "rumprun/cfg", Map.of("json", ordered("cmdline", "httpd -p 80",
                                "net", ordered("if", "xenif0", "type", "inet", "method", "static",
                                        "addr", "10.0.0.2", "mask", "24"))),
                        "data/service", name))));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** The domain's state as the backend's own connection sees it (the test driver's copy is per connection). */
    private DomainInfo.DomainState domainState(String name) throws Exception {
        return backend.connection().current().orElseThrow().domainLookupByName(name).getInfo().state;
    }

    @Test
    void theConfigurationIsWrittenInOneTransactionWhileTheDomainIsPausedThenItRuns() throws Exception {
        List<String> statesAtCommit = new CopyOnWriteArrayList<>();
        xenstored.onCommit(c -> {
            try {
                statesAtCommit.add(c.path() + "=" + domainState("web"));
            } catch (Exception e) {
                statesAtCommit.add(c.path() + "=" + e);
            }
        });
        int logBefore = xenstored.log().size();
        LibvirtVm vm = rumprunGuest("web");

        StepVerifier.create(vm.start()).expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);
        int domid = vm.domainId().block(T).orElseThrow();
        String home = "/local/domain/" + domid;

        List<XenstoredServer.Change> written = xenstored.log().subList(logBefore, xenstored.log().size());
        assertThat(written).containsExactly(
                new XenstoredServer.Change("WRITE", home + "/rumprun/cfg",
                        "{\"cmdline\":\"httpd -p 80\",\"net\":{\"if\":\"xenif0\",\"type\":\"inet\",\"method\":\"static\","
                                + "\"addr\":\"10.0.0.2\",\"mask\":\"24\"}}"),
                new XenstoredServer.Change("WRITE", home + "/data/service", "web"));
        assertThat(statesAtCommit).as("the server saw both writes while the domain was paused")
                .containsExactly(home + "/rumprun/cfg=VIR_DOMAIN_PAUSED", home + "/data/service=VIR_DOMAIN_PAUSED");
    }

    @Test
    void aConfigurationThatCannotBeWrittenFailsTheStartAndDestroysTheDomain() throws Exception {
        LibvirtVm vm = rumprunGuest("broken");
        // a daemon that is gone: the write fails and the half-made domain does not stay behind
        xenstored.close();
        try {
            StepVerifier.create(vm.start()).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(BackendException.class).hasMessageContaining("not written")).verify(T);
            StepVerifier.create(vm.state()).expectNext(VmState.STOPPED).expectComplete().verify(T);
        } finally {
            startXenstored();
        }
    }

    @Test
    void theReadinessCheckWaitsOnAWatchForTheKeyAndItsValue() throws Exception {
        LibvirtVm vm = rumprunGuest("ready");
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        int domid = vm.domainId().block(T).orElseThrow();
        ReadinessCheck check = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", Map.of("key", "data/ready", "value", "1"))), timer);
        assertThat(check.describe()).isEqualTo("xenstore data/ready = 1");

        StepVerifier.create(check.await(vm))
                .then(() -> xenstored.guestWrite("/local/domain/" + domid + "/data/ready", "0")) // not the value
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> xenstored.guestWrite("/local/domain/" + domid + "/data/ready", "1"))
                .expectComplete()
                .verify(T);
    }

    @Test
    void aKeyWrittenBeforeTheWaitBeganIsSeenByTheWatchsFirstEvent() throws Exception {
        LibvirtVm vm = rumprunGuest("early");
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        int domid = vm.domainId().block(T).orElseThrow();
        xenstored.guestWrite("/local/domain/" + domid + "/data/ready", "yes");
        ReadinessCheck check = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", "data/ready")), timer);
        StepVerifier.create(check.await(vm)).expectComplete().verify(T);
    }

    @Test
    void onTimeoutAnswerPassesAndOnTimeoutFailFailsNamingTheKey() throws Exception {
        LibvirtVm vm = rumprunGuest("silent");
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        int domid = vm.domainId().block(T).orElseThrow();
        ReadinessCheck answer = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", Map.of("key", "data/never", "timeout", "200ms", "on-timeout", "answer"))), timer);
        StepVerifier.create(answer.await(vm)).expectComplete().verify(T);

        ReadinessCheck fail = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", Map.of("key", "data/never", "timeout", "200ms"))), timer);
        StepVerifier.create(fail.await(vm)).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("/local/domain/" + domid + "/data/never not written within 200 ms")).verify(T);
    }

    @Test
    void aWatchSurvivesTheDaemonDroppingItsConnections() throws Exception {
        LibvirtVm vm = rumprunGuest("survivor");
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        int domid = vm.domainId().block(T).orElseThrow();
        ReadinessCheck check = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", "data/ready")), timer);
        StepVerifier.create(check.await(vm))
                .then(() -> {
                    try {
                        assertThat(xenstored.awaitWatch("/local/domain/" + domid + "/data/ready", T)).isTrue();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .then(xenstored::dropConnections) // xenstored restarts: every client cut off
                .then(() -> xenstored.guestWrite("/local/domain/" + domid + "/data/ready", "1")) // while it is away
                .expectComplete() // reconnected, watched again, and the first event read the key
                .verify(T);
    }

    @Test
    void aVmWithoutADomainIdFailsTheCheckClearly() {
        ReadinessCheck check = new XenstoreCheckFactory().parse(Settings.of("services[0].readiness[0]",
                Map.of("xenstore", "data/ready")), timer);
        LibvirtVm stopped = rumprunGuest("never-started");
        StepVerifier.create(check.await(stopped)).expectErrorSatisfies(e -> assertThat(e)
                .isInstanceOf(BackendException.class).hasMessageContaining("has no Xen domain id")).verify(T);
    }
}
