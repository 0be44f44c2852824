package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.started;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jitsu.backend.Backend;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The pipeline with a scripted {@link BootCoordinator} (the etcd one is covered by ClusterIT), in virtual time. */
@Tag("fast")
class CoordinationTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final Scripted coordinator = new Scripted();
    private final CountingMetrics metrics = new CountingMetrics();

    @AfterEach
    void tearDown() {
        timer.dispose();
    }

    private OnDemandPipeline pipeline(Vm vm) {
        return pipeline(new Service("web", vm).idleTimeout(Duration.ofSeconds(60)));
    }

    private OnDemandPipeline pipeline(Service service) {
        return started(Fixtures.pipeline(timer, metrics, List.of(service.build()))
                .idleCheckInterval(Duration.ofSeconds(5))
                .coordinator(coordinator));
    }

    @Test
    void aServiceBootedElsewhereIsAnsweredOnceItRunsThereWithoutALocalBoot() {
        ScriptedVm vm = backend.vm("web");
        Sinks.One<BootCoordinator.Claim> elsewhere = Sinks.one();
        coordinator.next = elsewhere.asMono();
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .then(() -> {
                        assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.BOOTING);
                        elsewhere.tryEmitValue(BootCoordinator.Claim.RUNNING_ELSEWHERE);
                    })
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).as("not booted here").isZero();
            assertThat(p.core().status("web").orElseThrow().boots()).isZero();
            assertThat(metrics.started).as("a lost claim is no VM start").hasValue(0);
            assertThat(metrics.joinedElsewhere).hasValue(1);
            assertThat(coordinator.released).as("nothing claimed, nothing released").isEmpty();

            // no query anywhere for the idle period: this instance forgets, it does not stop the VM
            timer.advanceTimeBy(Duration.ofSeconds(65));
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
            assertThat(vm.stops()).isEmpty();
        }
    }

    @Test
    void theOwnerKeepsTheServiceWhileAnotherInstanceSeesQueriesAndReleasesTheClaimWhenItStops() {
        ScriptedVm vm = backend.vm("web");
        coordinator.next = Mono.just(BootCoordinator.Claim.OWN);
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).isEqualTo(1);
            assertThat(metrics.started).hasValue(1);
            assertThat(coordinator.released).containsExactly("web:true");

            // another instance answers the traffic: its last query time moves, ours does not
            for (int i = 0; i < 6; i++) {
                timer.advanceTimeBy(Duration.ofSeconds(30));
                coordinator.elsewhere.put("web", timer.now(TimeUnit.MILLISECONDS));
            }
            assertThat(vm.stops()).as("kept up by the other instance's traffic").isEmpty();
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);

            timer.advanceTimeBy(Duration.ofSeconds(65)); // now nobody asks
            assertThat(vm.stops()).hasSize(1);
            assertThat(coordinator.released).containsExactly("web:true", "web:false");
        }
    }

    @Test
    void aRefusedClaimIsAServerFailureAndTheVmIsNotTouched() {
        ScriptedVm vm = backend.vm("web");
        coordinator.next = Mono.error(new IllegalStateException("etcd unavailable, boot refused"));
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOfSatisfying(Answer.ServerFailure.class,
                            f -> assertThat(f.reason()).contains("etcd unavailable")))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).isZero();
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
        }
    }

    @Test
    void aVmLeftRunningByADeadOwnerIsAdoptedNotBootedAndThisInstanceStopsItWhenIdle() {
        Handled vm = new Handled(backend.vm("web"));
        coordinator.next = Mono.just(BootCoordinator.Claim.adopting(new BootCoordinator.LeftBehind("ns1", "pid 42")));
        try (OnDemandPipeline p = pipeline(vm)) {
            vm.fake.setState(VmState.RUNNING); // the dead owner's VM (unknown to this instance at start-up)
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.attached).containsExactly("pid 42");
            assertThat(vm.fake.starts()).as("adopted, not started").isZero();
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(p.core().status("web").orElseThrow().boots()).isZero();
            assertThat(metrics.adopted).hasValue(1);
            assertThat(metrics.started).hasValue(0);
            assertThat(metrics.succeeded).as("no boot succeeded: none ran").hasValue(0);
            assertThat(coordinator.runs).as("the other instances learn which VM runs").containsExactly("web:fake-web");
            assertThat(coordinator.released).containsExactly("web:true");

            timer.advanceTimeBy(Duration.ofSeconds(59));
            assertThat(vm.fake.stops()).as("a full idle period from the adoption").isEmpty();
            timer.advanceTimeBy(Duration.ofSeconds(10));
            assertThat(vm.fake.stops()).containsExactly(StopMode.DESTROY);
            assertThat(coordinator.released).containsExactly("web:true", "web:false");
        }
    }

    @Test
    void aVmLeftBehindThatIsGoneIsBootedAgain() {
        Handled vm = new Handled(backend.vm("web"));
        coordinator.next = Mono.just(BootCoordinator.Claim.adopting(new BootCoordinator.LeftBehind("ns1", "pid 42")));
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.attached).containsExactly("pid 42");
            assertThat(vm.fake.starts()).isEqualTo(1);
            assertThat(p.core().status("web").orElseThrow().boots()).isEqualTo(1);
            assertThat(metrics.started).hasValue(1);
            assertThat(metrics.adopted).hasValue(0);
        }
    }

    @Test
    void anAdoptedVmThatNeverGetsReadyIsDestroyedBeforeTheClaimIsReleased() {
        Handled vm = new Handled(backend.vm("web"));
        coordinator.next = Mono.just(BootCoordinator.Claim.adopting(new BootCoordinator.LeftBehind("ns1", "pid 42")));
        Sinks.Empty<Void> destroy = Sinks.empty();
        vm.fake.stopWith(destroy.asMono());
        Service web = new Service("web", vm).bootTimeout(Duration.ofSeconds(10))
                .readiness(ignored -> Mono.never());
        try (OnDemandPipeline p = pipeline(web)) {
            vm.fake.setState(VmState.RUNNING);
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .then(() -> timer.advanceTimeBy(Duration.ofSeconds(11)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.ServerFailure.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.fake.stops()).as("the half-started VM it adopted is destroyed, not leaked")
                    .containsExactly(StopMode.DESTROY);
            assertThat(coordinator.released).as("the claim is held until the destroy ends").isEmpty();
            destroy.tryEmitEmpty();
            assertThat(coordinator.released).containsExactly("web:false");
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
        }
    }

    @Test
    void aRunningServiceWhoseOwnerDiedIsTakenOverAtOnce() {
        Handled vm = new Handled(backend.vm("web"));
        coordinator.next = Mono.just(BootCoordinator.Claim.RUNNING_ELSEWHERE);
        try (OnDemandPipeline p = pipeline(vm)) {
            vm.fake.setState(VmState.RUNNING); // the VM the other instance runs (same hypervisor)
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(coordinator.released).as("running elsewhere: nothing claimed").isEmpty();

            // the owner dies: its claim expires, its VM is on record; this instance claims it and adopts it
            coordinator.next = Mono.just(BootCoordinator.Claim.adopting(new BootCoordinator.LeftBehind("ns1", "pid 7")));
            coordinator.leftBehind.accept("web");
            assertThat(vm.attached).containsExactly("pid 7");
            assertThat(vm.fake.starts()).isZero();
            assertThat(metrics.adopted).hasValue(1);
            assertThat(coordinator.released).containsExactly("web:true");
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);

            // now the owner: it stops the VM when idle
            timer.advanceTimeBy(Duration.ofSeconds(65));
            assertThat(vm.fake.stops()).containsExactly(StopMode.DESTROY);
        }
    }

    @Test
    void aTakeOverThatFindsTheVmGoneStartsNothingWithoutAQuery() {
        Handled vm = new Handled(backend.vm("web"));
        coordinator.next = Mono.just(BootCoordinator.Claim.adopting(new BootCoordinator.LeftBehind("ns1", "pid 7")));
        try (OnDemandPipeline p = pipeline(vm)) {
            coordinator.leftBehind.accept("web");
            assertThat(vm.attached).containsExactly("pid 7");
            assertThat(vm.fake.starts()).as("no VM is started for nobody").isZero();
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
            assertThat(p.core().status("web").orElseThrow().failures()).isZero();
            assertThat(metrics.failed).hasValue(0);
            assertThat(coordinator.released).as("the claim is given back").containsExactly("web:false");

            // the next query boots as usual
            coordinator.next = Mono.just(BootCoordinator.Claim.OWN);
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.fake.starts()).isEqualTo(1);
        }
    }

    /** A {@link ScriptedVm} with a handle ({@code fake-ID} while it runs) that records what it is asked to attach. */
    static final class Handled implements Vm {
        final ScriptedVm fake;
        final List<String> attached = new CopyOnWriteArrayList<>();

        Handled(ScriptedVm fake) {
            this.fake = fake;
        }

        @Override
        public String id() {
            return fake.id();
        }

        @Override
        public Backend backend() {
            return fake.backend();
        }

        @Override
        public Mono<VmState> state() {
            return fake.state();
        }

        @Override
        public Mono<Void> start() {
            return fake.start();
        }

        @Override
        public Mono<Void> stop(StopMode mode, Duration grace) {
            return fake.stop(mode, grace);
        }

        @Override
        public Mono<Optional<String>> handle() {
            return fake.state().map(s -> s == VmState.RUNNING ? Optional.of("fake-" + fake.id()) : Optional.empty());
        }

        @Override
        public Mono<VmState> attach(String handle) {
            attached.add(handle);
            return fake.state();
        }
    }

    /** Answers claims with {@link #next}; records releases; others' query times from {@link #elsewhere}. */
    static final class Scripted implements BootCoordinator {
        volatile Mono<Claim> next = Mono.just(Claim.OWN);
        final List<String> released = new CopyOnWriteArrayList<>();
        final Map<String, Long> elsewhere = new ConcurrentHashMap<>();
        final List<String> runs = new CopyOnWriteArrayList<>();
        volatile Consumer<String> leftBehind = id -> { };

        @Override
        public Mono<Claim> claim(String serviceId) {
            return next;
        }

        @Override
        public void released(String serviceId, boolean running) {
            released.add(serviceId + ":" + running);
        }

        @Override
        public void runs(String serviceId, String vmHandle) {
            runs.add(serviceId + ":" + vmHandle);
        }

        @Override
        public void onLeftBehind(Consumer<String> listener) {
            leftBehind = listener;
        }

        @Override
        public long lastQueryElsewhere(String serviceId) {
            return elsewhere.getOrDefault(serviceId, Long.MIN_VALUE);
        }
    }
}
