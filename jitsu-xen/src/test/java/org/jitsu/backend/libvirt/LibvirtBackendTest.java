package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.libvirt.Connect;
import org.libvirt.Domain;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The libvirt backend against libvirt's in-process test driver (no daemon): one private node file per test. */
@Tag("native")
class LibvirtBackendTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private Scheduler timer;
    private LibvirtBackend backend;

    @BeforeEach
    void setUp() {
        timer = Schedulers.newSingle("test-timer");
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        timer.dispose();
    }

    private LibvirtBackend open(String uri) {
        backend = (LibvirtBackend) new LibvirtBackendFactory()
                .create("lab", TestNode.backendSettings(uri), new BackendContext(dir, timer));
        return backend;
    }

    /** The domain as the backend's own connection sees it (node-file copies are per connection). */
    private Domain domain(String name) throws Exception {
        Connect c = backend.connection().current().orElseThrow();
        return c.domainLookupByName(name);
    }

    @Test
    void definesXenPvUnikernelFromTemplateAndStartsIt() throws Exception {
        open(TestNode.write(dir));
        LibvirtVm vm = backend.define("www", TestNode.spec(0, Map.of(
                "template", TestNode.template("xen-pv.xml"),
                "vars", Map.of("memory", 32768, "vcpus", 1, "kernel", "/srv/mirage/www.xen",
                        "cmdline", "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 & more"))));

        assertThat(vm.id()).isEqualTo("www");
        StepVerifier.create(vm.state()).expectNext(VmState.STOPPED).expectComplete().verify(T);
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);

        String xml = domain("www").getXMLDesc(0);
        // libvirt canonicalises the PV os type "xen" as "linux".
        assertThat(xml).contains("<domain type='xen'").contains("linux</type>")
                .contains("<kernel>/srv/mirage/www.xen</kernel>")
                .contains("--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1 &amp; more")
                .contains(DomainTemplate.macFor("www"))
                .contains("<memory unit='KiB'>32768</memory>");
    }

    @Test
    void definesQemuGuestFromTemplateAndStartsIt() throws Exception {
        open(TestNode.write(dir));
        LibvirtVm vm = backend.define("guest", TestNode.spec(0, Map.of(
                "template", TestNode.template("qemu.xml"),
                "vars", Map.of("name", "jitsu-guest", "memory", 131072, "vcpus", 2, "kernel", "/var/lib/jitsu/vmlinuz",
                        "initrd", "/var/lib/jitsu/initrd.img", "cmdline", "console=ttyS0 quiet", "mac", "52:54:00:12:34:56"))));

        assertThat(vm.id()).isEqualTo("jitsu-guest");
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);
        String xml = domain("jitsu-guest").getXMLDesc(0);
        assertThat(xml).contains("type='qemu'").contains("<initrd>/var/lib/jitsu/initrd.img</initrd>")
                .contains("52:54:00:12:34:56").contains("<vcpu placement='static'>2</vcpu>");
    }

    @Test
    void destroyStopsAtOnce() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));

        Flux<VmEvent> events = backend.events().filter(e -> e.vmId().equals("web"));
        StepVerifier.create(TestEvents.first(events, vm.stop(StopMode.DESTROY, Duration.ofSeconds(1))))
                .expectNext(new VmEvent("web", VmState.STOPPED, "stopped (destroyed)"))
                .expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.STOPPED).expectComplete().verify(T);
        // Stopping what is already stopped is a no-op, not an error.
        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ofSeconds(1))).expectComplete().verify(T);
    }

    @Test
    void shutdownLetsTheGuestStopByItself() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));

        Flux<VmEvent> stopped = backend.events().filter(e -> e.state() == VmState.STOPPED);
        StepVerifier.create(TestEvents.first(stopped, vm.stop(StopMode.SHUTDOWN, Duration.ofSeconds(30))))
                .expectNext(new VmEvent("web", VmState.STOPPED, "stopped (shutdown)"))
                .expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.STOPPED).expectComplete().verify(T);
    }

    @Test
    void shutdownCompletesWithinGraceOnTheRealDriver() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));
        StepVerifier.create(vm.stop(StopMode.SHUTDOWN, Duration.ofSeconds(30))).expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.STOPPED).expectComplete().verify(T);
        StepVerifier.create(vm.start()).expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);
    }

    @Test
    void suspendPausesAndStartResumes() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));

        Flux<VmEvent> events = backend.events().filter(e -> e.vmId().equals("web"));
        StepVerifier.create(TestEvents.take(events, 2, vm.stop(StopMode.SUSPEND, Duration.ZERO).then(vm.start())))
                .assertNext(list -> {
                    assertThat(list).extracting(VmEvent::state).containsExactly(VmState.PAUSED, VmState.RUNNING);
                    assertThat(list.get(0).detail()).startsWith("suspended");
                    assertThat(list.get(1).detail()).startsWith("resumed");
                })
                .expectComplete().verify(T);

        StepVerifier.create(vm.stop(StopMode.SUSPEND, Duration.ZERO).then(vm.state()))
                .expectNext(VmState.PAUSED).expectComplete().verify(T);
        StepVerifier.create(vm.start().then(vm.state())).expectNext(VmState.RUNNING).expectComplete().verify(T);
    }

    @Test
    void saveWritesManagedSaveImageAndStartRestoresIt() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));

        Flux<VmEvent> events = backend.events().filter(e -> e.vmId().equals("web"));
        StepVerifier.create(TestEvents.first(events, vm.stop(StopMode.SAVE, Duration.ZERO)))
                .expectNext(new VmEvent("web", VmState.PAUSED, "stopped (saved)"))
                .expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.PAUSED).expectComplete().verify(T);
        assertThat(domain("web").hasManagedSaveImage()).isEqualTo(1);
        assertThat(domain("web").isActive()).isZero();

        StepVerifier.create(vm.start().then(vm.state())).expectNext(VmState.RUNNING).expectComplete().verify(T);
        assertThat(domain("web").hasManagedSaveImage()).isZero();
    }

    @Test
    void savesATemplateDefinedXenDomainToo() throws Exception {
        open(TestNode.write(dir));
        LibvirtVm vm = backend.define("www", TestNode.spec(0, Map.of(
                "template", TestNode.template("xen-pv.xml"),
                "vars", Map.of("memory", 32768, "vcpus", 1, "kernel", "/k.xen", "cmdline", ""))));
        StepVerifier.create(vm.start().then(vm.stop(StopMode.SAVE, Duration.ZERO)).then(vm.state()))
                .expectNext(VmState.PAUSED).expectComplete().verify(T);
        StepVerifier.create(vm.start().then(vm.state())).expectNext(VmState.RUNNING).expectComplete().verify(T);
    }

    @ParameterizedTest(name = "libvirt state {0} is {1}")
    @CsvSource({"1, RUNNING", "2, RUNNING", "3, PAUSED", "5, STOPPED", "6, CRASHED", "7, PAUSED"})
    void adoptsExistingDomainsInTheirState(int runstate, VmState expected) throws Exception {
        open(TestNode.write(dir, TestNode.domain("old", runstate)));
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", "old")));
        StepVerifier.create(vm.state()).expectNext(expected).expectComplete().verify(T);
    }

    @ParameterizedTest(name = "start from libvirt state {0}")
    @CsvSource({"1", "2", "3", "4", "5", "6"})
    void startRunsTheDomainFromAnyState(int runstate) throws Exception {
        open(TestNode.write(dir, TestNode.domain("old", runstate)));
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", "old")));
        StepVerifier.create(vm.start().then(vm.state())).expectNext(VmState.RUNNING).expectComplete().verify(T);
    }

    @Test
    void startWakesAPmSuspendedDomain() throws Exception {
        // The test driver has no virDomainPMWakeup: its refusal shows that start() takes the wake-up
        // path (not create(), which would fail differently) and that the error keeps libvirt's code.
        open(TestNode.write(dir, TestNode.domain("old", 7)));
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", "old")));
        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> {
                    assertThat(((BackendException) e).code()).isEqualTo("VIR_ERR_NO_SUPPORT");
                    assertThat(e.getMessage()).contains("virDomainPMWakeup");
                })
                .verify(T);
    }

    @ParameterizedTest(name = "{0} of a shut-off domain does nothing")
    @CsvSource({"DESTROY", "SHUTDOWN", "SUSPEND", "SAVE"})
    void stoppingAStoppedDomainIsANoOp(StopMode mode) throws Exception {
        open(TestNode.write(dir, TestNode.domain("old", 5)));
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", "old")));
        StepVerifier.create(vm.stop(mode, Duration.ofSeconds(1)).then(vm.state())).expectNext(VmState.STOPPED)
                .expectComplete().verify(T);
        assertThat(domain("old").hasManagedSaveImage()).isZero();
    }

    @Test
    void shutdownOfAPausedDomainDestroysIt() throws Exception {
        open(TestNode.write(dir, TestNode.domain("old", 3)));
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", "old")));
        Flux<VmEvent> stopped = backend.events().filter(e -> e.state() == VmState.STOPPED);
        StepVerifier.create(TestEvents.first(stopped, vm.stop(StopMode.SHUTDOWN, Duration.ofSeconds(30))))
                .expectNext(new VmEvent("old", VmState.STOPPED, "stopped (destroyed)"))
                .expectComplete().verify(T);
    }

    @Test
    void findsDomainsByUuid() throws Exception {
        open(TestNode.write(dir, TestNode.domain("old", 1)));
        StepVerifier.create(backend.ready()).expectComplete().verify(T);
        String uuid = domain("old").getUUIDString().toUpperCase(Locale.ROOT);
        LibvirtVm vm = backend.define("old", TestNode.spec(0, Map.of("domain", uuid)));
        assertThat(vm.id()).isEqualTo(uuid.toLowerCase(Locale.ROOT));
        StepVerifier.create(TestEvents.first(backend.events(), vm.stop(StopMode.DESTROY, Duration.ZERO)))
                .expectNext(new VmEvent(vm.id(), VmState.STOPPED, "stopped (destroyed)"))
                .expectComplete().verify(T);
    }

    @Test
    void theHandleIsTheUuidOfTheActiveDomainAndAttachFindsItByIt() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1), TestNode.domain("stranger", 1)));
        StepVerifier.create(backend.ready()).expectComplete().verify(T);
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));
        String uuid = domain("web").getUUIDString();
        StepVerifier.create(vm.handle()).expectNext(Optional.of(uuid)).expectComplete().verify(T);
        StepVerifier.create(vm.attach(uuid)).expectNext(VmState.RUNNING).expectComplete().verify(T);

        // another service's domain is not taken over: the state is that of this service's own domain
        StepVerifier.create(vm.stop(StopMode.DESTROY, Duration.ZERO)).expectComplete().verify(T);
        String stranger = domain("stranger").getUUIDString();
        StepVerifier.create(vm.attach(stranger)).expectNext(VmState.STOPPED).expectComplete().verify(T);
        assertThat(domain("stranger").isActive()).as("left alone").isEqualTo(1);

        // a stopped domain has no handle; a handle of a gone or malformed UUID is this domain's state
        StepVerifier.create(vm.handle()).expectNext(Optional.empty()).expectComplete().verify(T);
        StepVerifier.create(vm.attach(uuid)).expectNext(VmState.STOPPED).expectComplete().verify(T);
        StepVerifier.create(vm.attach("not-a-uuid")).expectNext(VmState.STOPPED).expectComplete().verify(T);
        StepVerifier.create(vm.start().then(vm.attach("not-a-uuid"))).expectNext(VmState.RUNNING).expectComplete()
                .verify(T);
    }

    @Test
    void startOfUnknownDomainWithoutTemplateFailsWithNoDomain() throws Exception {
        open(TestNode.write(dir));
        LibvirtVm vm = backend.define("ghost", TestNode.spec(0, Map.of("domain", "ghost")));
        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BackendException.class);
                    assertThat(((BackendException) e).code()).isEqualTo("VIR_ERR_NO_DOMAIN");
                    assertThat(((BackendException) e).vmId()).isEqualTo("ghost");
                })
                .verify(T);
        StepVerifier.create(vm.state())
                .expectErrorSatisfies(e -> assertThat(((BackendException) e).code()).isEqualTo("VIR_ERR_NO_DOMAIN"))
                .verify(T);
    }

    @Test
    void libvirtErrorsCarryLibvirtsCodeAndTheDomain() throws Exception {
        open(TestNode.write(dir));
        LibvirtVm vm = backend.define("bad", TestNode.spec(0, Map.of(
                "template", TestNode.template("xen-pv.xml"),
                "vars", Map.of("memory", "lots", "vcpus", 1, "kernel", "/k.xen", "cmdline", ""))));
        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BackendException.class);
                    BackendException b = (BackendException) e;
                    assertThat(b.vmId()).isEqualTo("bad");
                    assertThat(b.code()).startsWith("VIR_ERR_").isNotEqualTo("VIR_ERR_NO_DOMAIN");
                    assertThat(b.getMessage()).startsWith("bad: start failed: ");
                })
                .verify(T);
    }

    @Test
    void callsRunOnTheBackendsOwnThreads() throws Exception {
        open(TestNode.write(dir, TestNode.domain("web", 1)));
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));
        StepVerifier.create(vm.state().map(s -> Thread.currentThread().getName()))
                .assertNext(name -> assertThat(name).startsWith("jitsu-libvirt-lab-"))
                .expectComplete().verify(T);
    }
}
