package org.jitsu.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.pipeline.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.pipeline.Fixtures.query;
import static org.jitsu.server.pipeline.Fixtures.zone;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jitsu.server.pipeline.Fixtures.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The pipeline with a scripted {@link BootCoordinator} (the etcd one is covered by ClusterIT), in virtual time. */
class CoordinationTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final FakeBackend backend = new FakeBackend("fake");
    private final Scripted coordinator = new Scripted();

    @AfterEach
    void tearDown() {
        timer.dispose();
    }

    private OnDemandPipeline pipeline(FakeVm vm) {
        OnDemandPipeline p = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("web", vm).idleTimeout(Duration.ofSeconds(60)).build()))
                .idleCheckInterval(Duration.ofSeconds(5))
                .timer(timer)
                .coordinator(coordinator)
                .build();
        p.start().block(VERIFY_TIMEOUT);
        return p;
    }

    @Test
    void aServiceBootedElsewhereIsAnsweredOnceItRunsThereWithoutALocalBoot() {
        FakeVm vm = backend.vm("web");
        Sinks.One<BootCoordinator.Claim> elsewhere = Sinks.one();
        coordinator.next = elsewhere.asMono();
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .then(() -> {
                        assertThat(p.service("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.BOOTING);
                        elsewhere.tryEmitValue(BootCoordinator.Claim.RUNNING_ELSEWHERE);
                    })
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).as("not booted here").isZero();
            assertThat(p.service("web").orElseThrow().boots()).isZero();
            assertThat(coordinator.released).as("nothing claimed, nothing released").isEmpty();

            // no query anywhere for the idle period: this instance forgets, it does not stop the VM
            timer.advanceTimeBy(Duration.ofSeconds(65));
            assertThat(p.service("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
            assertThat(vm.stops()).isEmpty();
        }
    }

    @Test
    void theOwnerKeepsTheServiceWhileAnotherInstanceSeesQueriesAndReleasesTheClaimWhenItStops() {
        FakeVm vm = backend.vm("web");
        coordinator.next = Mono.just(BootCoordinator.Claim.OWN);
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOf(Answer.Found.class))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).isEqualTo(1);
            assertThat(coordinator.released).containsExactly("web:true");

            // another instance answers the traffic: its last query time moves, ours does not
            for (int i = 0; i < 6; i++) {
                timer.advanceTimeBy(Duration.ofSeconds(30));
                coordinator.elsewhere.put("web", timer.now(TimeUnit.MILLISECONDS));
            }
            assertThat(vm.stops()).as("kept up by the other instance's traffic").isEmpty();
            assertThat(p.service("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);

            timer.advanceTimeBy(Duration.ofSeconds(65)); // now nobody asks
            assertThat(vm.stops()).hasSize(1);
            assertThat(coordinator.released).containsExactly("web:true", "web:false");
        }
    }

    @Test
    void aRefusedClaimIsAServerFailureAndTheVmIsNotTouched() {
        FakeVm vm = backend.vm("web");
        coordinator.next = Mono.error(new IllegalStateException("etcd unavailable, boot refused"));
        try (OnDemandPipeline p = pipeline(vm)) {
            StepVerifier.create(p.resolve(query("web.example.test", RecordType.A)))
                    .assertNext(a -> assertThat(a).isInstanceOfSatisfying(Answer.ServerFailure.class,
                            f -> assertThat(f.reason()).contains("etcd unavailable")))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(vm.starts()).isZero();
            assertThat(p.service("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
        }
    }

    /** Answers claims with {@link #next}; records releases; others' query times from {@link #elsewhere}. */
    static final class Scripted implements BootCoordinator {
        volatile Mono<Claim> next = Mono.just(Claim.OWN);
        final List<String> released = new CopyOnWriteArrayList<>();
        final Map<String, Long> elsewhere = new ConcurrentHashMap<>();

        @Override
        public Mono<Claim> claim(String serviceId) {
            return next;
        }

        @Override
        public void released(String serviceId, boolean running) {
            released.add(serviceId + ":" + running);
        }

        @Override
        public long lastQueryElsewhere(String serviceId) {
            return elsewhere.getOrDefault(serviceId, Long.MIN_VALUE);
        }
    }
}
