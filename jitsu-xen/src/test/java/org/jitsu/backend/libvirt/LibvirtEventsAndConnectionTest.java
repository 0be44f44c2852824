package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmEvent;
import org.jitsu.backend.VmState;
import org.jitsu.backend.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Events for changes made outside Jitsu, many boots at once, and losing the connection. */
@Tag("native")
class LibvirtEventsAndConnectionTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private LibvirtBackend open(String uri, Scheduler timer) {
        LibvirtBackend b = (LibvirtBackend) new LibvirtBackendFactory()
                .create("lab", TestNode.backendSettings(uri), new BackendContext(dir, timer));
        cleanup.add(b::close);
        return b;
    }

    @Test
    void domainDestroyedFromOutsideIsReportedStopped() throws Exception {
        // test:///default is shared by all connections of the process: a second Connect is "outside".
        Scheduler timer = Schedulers.newSingle("test-timer");
        cleanup.add(timer::dispose);
        LibvirtBackend backend = open("test:///default", timer);
        StepVerifier.create(backend.ready()).expectComplete().verify(T);

        String name = "outside-" + UUID.randomUUID();
        Connect outside = new Connect("test:///default", false);
        cleanup.add(outside::close);
        Domain d = outside.domainDefineXML(TestNode.domain(name, 5).replace("<test:runstate>5</test:runstate>", ""));
        cleanup.add(() -> {
            if (d.isActive() == 1) {
                d.destroy();
            }
            d.undefine();
        });
        LibvirtVm vm = backend.define("svc", TestNode.spec(0, Map.of("domain", name)));
        // Consume the event of our own start first: events arrive asynchronously, in order.
        StepVerifier.create(TestEvents.first(backend.events(), vm.start()))
                .expectNext(new VmEvent(name, VmState.RUNNING, "started (booted)"))
                .expectComplete().verify(T);

        Mono<Boolean> destroyFromOutside = Mono.fromCallable(() -> {
            outside.domainLookupByName(name).destroy();
            return true;
        });
        StepVerifier.create(TestEvents.first(backend.events().filter(e -> e.vmId().equals(name)), destroyFromOutside))
                .expectNext(new VmEvent(name, VmState.STOPPED, "stopped (destroyed)"))
                .expectComplete().verify(T);

        // Changes to domains of no configured service are not reported: libvirt delivers events in
        // order, so the first event seen after the unrelated domain came and went is the service's own.
        String other = "unrelated-" + UUID.randomUUID();
        Mono<Void> unrelatedThenService = Mono.fromCallable(() -> {
            outside.domainCreateXML(TestNode.domain(other, 1), 0).destroy();
            return true;
        }).then(vm.start());
        StepVerifier.create(TestEvents.first(backend.events(), unrelatedThenService))
                .expectNext(new VmEvent(name, VmState.RUNNING, "started (booted)"))
                .expectComplete().verify(T);
    }

    @Test
    void fiftyServicesBootAtOnceOnOneConnection() throws Exception {
        Scheduler timer = Schedulers.newSingle("test-timer");
        cleanup.add(timer::dispose);
        LibvirtBackend backend = open(TestNode.write(dir), timer);
        List<LibvirtVm> vms = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            vms.add(backend.define("svc" + i, TestNode.spec(i, Map.of("template", TestNode.template("minimal.xml")))));
        }
        StepVerifier.create(Flux.fromIterable(vms).flatMap(LibvirtVm::start, 50).then())
                .expectComplete().verify(Duration.ofSeconds(20));
        StepVerifier.create(Flux.fromIterable(vms).flatMap(LibvirtVm::state, 50).collectList())
                .assertNext(states -> assertThat(states).hasSize(50).containsOnly(VmState.RUNNING))
                .expectComplete().verify(T);
        assertThat(backend.connection().opens()).isEqualTo(1);
    }

    @Test
    void lostConnectionFailsFastThenIsReopenedOnTheTimer() throws Exception {
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        cleanup.add(timer::dispose);
        LibvirtBackend backend = open(TestNode.write(dir, TestNode.domain("web", 1)), timer);
        LibvirtVm vm = backend.define("web", TestNode.spec(0, Map.of("domain", "web")));
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);

        backend.connection().current().orElseThrow().close(); // pull the connection from under the backend

        StepVerifier.create(vm.state())
                .expectErrorSatisfies(e -> assertThat(((BackendException) e).code()).isEqualTo("connection-lost"))
                .verify(T);
        // Until the back-off delay passed on the timer, calls fail at once without touching libvirt.
        StepVerifier.create(vm.start())
                .expectErrorSatisfies(e -> assertThat(((BackendException) e).code()).isEqualTo("connection-lost"))
                .verify(T);
        assertThat(backend.connection().opens()).isEqualTo(1);

        // Re-opened once the back-off delay passed on the (virtual) timer; the backend then reports
        // every VM's current state, since events were missed while the connection was down.
        StepVerifier.create(backend.events().next())
                .then(() -> timer.advanceTimeBy(LibvirtConnection.FIRST_RETRY))
                .expectNext(new VmEvent("web", VmState.RUNNING, "connection re-opened"))
                .expectComplete().verify(T);
        StepVerifier.create(vm.state()).expectNext(VmState.RUNNING).expectComplete().verify(T);
        assertThat(backend.connection().opens()).isEqualTo(2);

        // Events are delivered on the new connection.
        StepVerifier.create(TestEvents.first(backend.events(), vm.stop(StopMode.DESTROY, Duration.ZERO)))
                .expectNext(new VmEvent("web", VmState.STOPPED, "stopped (destroyed)"))
                .expectComplete().verify(T);
    }

    @Test
    void unreachableUriFailsReadyWithLibvirtsCode() {
        Scheduler timer = Schedulers.newSingle("test-timer");
        cleanup.add(timer::dispose);
        LibvirtBackend backend = open("test://" + dir.resolve("missing.xml"), timer);
        StepVerifier.create(backend.ready())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BackendException.class);
                    assertThat(((BackendException) e).code()).startsWith("VIR_ERR_");
                    assertThat(e.getMessage()).contains("missing.xml");
                })
                .verify(T);
    }
}
