package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A replicated service: which replica a request gets, and how many run as the request rate changes. */
@Tag("fast")
class ReplicaSetTest {
    private static final Duration TICK = Duration.ofSeconds(1);
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private OnDemandCore core;
    private ReplicaSet set;

    @AfterEach
    void tearDown() {
        if (set != null) {
            set.close();
        }
        if (core != null) {
            core.close();
        }
        timer.dispose();
    }

    private ReplicaSet start(ReplicaPolicy policy) {
        List<ServiceDefinition> defs = new ArrayList<>();
        for (int k = 1; k <= policy.max(); k++) {
            defs.add(new ServiceDefinition("www.r" + k, List.of(IpLiteral.parse("127.0.0.1" + k).orElseThrow()),
                    backend.vm("www.r" + k), List.of(), Duration.ofSeconds(5), Duration.ofMinutes(10),
                    StopMode.DESTROY, Duration.ZERO));
        }
        core = OnDemandCore.builder().services(defs).timer(timer).idleCheckInterval(TICK).build();
        StepVerifier.create(core.start()).expectComplete().verify(Duration.ofSeconds(10));
        List<ManagedService> replicas = new ArrayList<>();
        defs.forEach(d -> replicas.add(core.service(d.id()).orElseThrow()));
        set = new ReplicaSet("www", replicas, policy, timer, TICK);
        set.start();
        return set;
    }

    private State state(int k) {
        return set.replica(k).status().state();
    }

    /** {@code n} round-robin requests in one tick; the replicas they got, counted. */
    private Map<Integer, Integer> requests(int n) {
        Map<Integer, Integer> got = new HashMap<>();
        for (int i = 0; i < n; i++) {
            got.merge(set.pickRoundRobin(i), 1, Integer::sum);
        }
        return got;
    }

    @Test
    void aColdSetBootsItsFirstReplicaOnlyAndNothingIsPickedBeforeItRuns() {
        start(new ReplicaPolicy(1, 3, 10));
        assertThat(set.pickRoundRobin(0)).isEqualTo(-1);
        Sinks.Empty<Void> booted = Sinks.empty();
        backend.vm("www.r1").startWith(booted.asMono());
        StepVerifier.create(set.ensureRunning())
                .then(() -> {
                    assertThat(set.pickRoundRobin(0)).as("a booting replica is never given out").isEqualTo(-1);
                    booted.tryEmitEmpty();
                })
                .expectNext(0)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
        assertThat(backend.vm("www.r2").starts() + backend.vm("www.r3").starts()).isZero();
        assertThat(requests(5)).containsExactly(Map.entry(0, 5));
    }

    @Test
    void loadBootsOneMoreReplicaPerTickAndRequestsSpreadOverTheRunningOnes() {
        start(new ReplicaPolicy(1, 3, 10));
        StepVerifier.create(set.ensureRunning()).expectNext(0).expectComplete().verify(Duration.ofSeconds(5));
        timer.advanceTimeBy(TICK); // the first tick: a baseline
        Sinks.Empty<Void> second = Sinks.empty();
        backend.vm("www.r2").startWith(second.asMono());
        requests(50); // 50/s on one replica, target 10
        timer.advanceTimeBy(TICK);
        assertThat(state(1)).isEqualTo(State.BOOTING);
        assertThat(requests(10)).as("still all on replica 1 while 2 boots").containsExactly(Map.entry(0, 10));
        timer.advanceTimeBy(TICK);
        assertThat(state(2)).as("no second boot while one is in flight").isEqualTo(State.STOPPED);
        second.tryEmitEmpty();
        assertThat(state(1)).isEqualTo(State.RUNNING);
        assertThat(requests(40)).containsOnly(Map.entry(0, 20), Map.entry(1, 20));
        timer.advanceTimeBy(TICK); // 50 requests in this tick: a third
        assertThat(state(2)).isEqualTo(State.RUNNING);
        assertThat(requests(30)).containsOnly(Map.entry(0, 10), Map.entry(1, 10), Map.entry(2, 10));
    }

    @Test
    void quietTicksStopReplicasDownToTheMinimum() {
        start(new ReplicaPolicy(2, 3, 10));
        for (int k = 0; k < 3; k++) {
            StepVerifier.create(set.replica(k).start()).expectComplete().verify(Duration.ofSeconds(5));
        }
        timer.advanceTimeBy(TICK); // a quiet tick
        requests(1);
        timer.advanceTimeBy(TICK); // and another
        assertThat(backend.vm("www.r3").stops()).as("two quiet ticks are not enough").isEmpty();
        requests(1);
        timer.advanceTimeBy(TICK);
        assertThat(backend.vm("www.r3").stops()).containsExactly(StopMode.DESTROY);
        for (int t = 0; t < 10; t++) {
            requests(1);
            timer.advanceTimeBy(TICK);
        }
        assertThat(state(0)).isEqualTo(State.RUNNING);
        assertThat(state(1)).as("min 2").isEqualTo(State.RUNNING);
    }

    @Test
    void aClientKeepsItsReplicaAndOnlyTheClientsOfAStoppedOneMove() {
        start(new ReplicaPolicy(1, 3, 10));
        for (int k = 0; k < 3; k++) {
            backend.vm("www.r" + (k + 1)).setState(VmState.STOPPED);
            StepVerifier.create(set.replica(k).start()).expectComplete().verify(Duration.ofSeconds(5));
        }
        Map<Integer, Integer> before = new HashMap<>();
        for (int c = 0; c < 300; c++) {
            int k = set.pickFor(c * 7919);
            before.put(c, k);
            assertThat(set.pickFor(c * 7919)).as("the same client, the same replica").isEqualTo(k);
        }
        assertThat(before.values()).contains(0, 1, 2);
        StepVerifier.create(set.replica(2).stop("operator")).expectComplete().verify(Duration.ofSeconds(5));
        for (int c = 0; c < 300; c++) {
            int k = set.pickFor(c * 7919);
            assertThat(k).isNotEqualTo(2);
            if (before.get(c) != 2) {
                assertThat(k).as("client %d did not move", c).isEqualTo(before.get(c));
            }
        }
    }

    @Test
    void theReplicasMustBeTheCoresAndAsManyAsMax() {
        start(new ReplicaPolicy(1, 2, 10));
        ManagedService foreign = new ManagedService() {
            public String id() {
                return "x";
            }

            public ServiceDefinition definition() {
                return null;
            }

            public boolean warm() {
                return false;
            }

            public Mono<Endpoints> ensureRunning() {
                return Mono.empty();
            }

            public void touch() {
            }

            public Mono<Void> start() {
                return Mono.empty();
            }

            public Mono<Void> stop(String reason) {
                return Mono.empty();
            }

            public ServiceStatus status() {
                return null;
            }
        };
        assertThatThrownBy(() -> new ReplicaSet("www", List.of(set.replica(0)), new ReplicaPolicy(1, 2, 10), timer, TICK))
                .hasMessageContaining("1 replicas, expected 2");
        assertThatThrownBy(() -> new ReplicaSet("www", List.of(set.replica(0), foreign), new ReplicaPolicy(1, 2, 10),
                timer, TICK)).hasMessageContaining("not the core's");
    }
}
