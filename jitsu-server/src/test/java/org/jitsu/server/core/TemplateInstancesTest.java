package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.testing.CountingMetrics;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A template's instances on the core: admission, budgets, addresses, idle stops and forgetting. */
@Tag("fast")
class TemplateInstancesTest {
    private static final Duration VERIFY = Duration.ofSeconds(10);
    private static final InetAddress CLIENT = ip("192.0.2.1");
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private final CountingMetrics metrics = new CountingMetrics();
    private final Map<String, Map<String, String>> made = new ConcurrentHashMap<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private OnDemandCore core;

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.close();
        }
        timer.dispose();
    }

    private static InetAddress ip(String literal) {
        return IpLiteral.parse(literal).orElseThrow();
    }

    private TemplateInstances start(InstanceBudget budget, AddressPool pool) {
        InstanceFactory factory = (id, values) -> {
            made.put(id, values);
            return new InstanceFactory.Parts(backend.vm(id), List.of());
        };
        ServiceTemplate template = new ServiceTemplate("pages", List.of("page"), pool, factory, Duration.ofSeconds(5),
                Duration.ofSeconds(30), StopMode.DESTROY, Duration.ofSeconds(1), Duration.ofMinutes(10), budget,
                "source");
        CoreMetrics counting = new CoreMetrics() {
            @Override
            public void instanceRefused(String templateId, Admission.Reason reason) {
                refused.add(templateId + ":" + reason);
            }

            @Override
            public void bootStarted(String serviceId) {
                metrics.bootStarted(serviceId);
            }
        };
        core = OnDemandCore.builder().templates(List.of(template)).timer(timer).metrics(counting)
                .idleCheckInterval(Duration.ofSeconds(1)).build();
        StepVerifier.create(core.start()).expectComplete().verify(Duration.ofSeconds(10));
        return core.template("pages").orElseThrow();
    }

    private static AddressPool pool() {
        return AddressPool.ranges(List.of(ip("127.1.0.0")), List.of(16));
    }

    private static ManagedService admitted(Admission a) {
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) a).service();
    }

    private static Admission.Reason refusedFor(Admission a) {
        assertThat(a).isInstanceOf(Admission.Refused.class);
        return ((Admission.Refused) a).reason();
    }

    @Test
    void eachDistinctValueIsItsOwnInstanceWithItsOwnVmAndAddress() {
        TemplateInstances t = start(InstanceBudget.DEFAULT, pool());
        ManagedService a = admitted(t.admit(List.of("a"), CLIENT));
        ManagedService b = admitted(t.admit(List.of("b"), CLIENT));
        assertThat(admitted(t.admit(List.of("a"), CLIENT))).as("the same name, the same instance").isSameAs(a);

        assertThat(a.id()).isEqualTo("pages.a");
        assertThat(a.definition().vm().id()).isEqualTo("pages.a");
        assertThat(b.definition().vm().id()).isEqualTo("pages.b");
        assertThat(a.definition().addresses()).hasSize(1).doesNotContainAnyElementsOf(b.definition().addresses());
        assertThat(made.get("pages.a")).containsEntry("page", "a").containsEntry("instance", "pages.a")
                .containsEntry("address", a.definition().addresses().get(0).getHostAddress());
        assertThat(backend.vm("pages.a").starts()).as("admission boots nothing").isZero();
        assertThat(core.statuses()).extracting(ServiceStatus::id).containsExactlyInAnyOrder("pages.a", "pages.b");
        assertThat(core.service("pages.a")).as("an operator finds an instance by id").containsSame(a);
        assertThat(core.service("pages.zz")).isEmpty();
    }

    @Test
    void concurrentCallersOfOneNameShareOneBoot() {
        TemplateInstances t = start(InstanceBudget.DEFAULT, pool());
        Sinks.Empty<Void> booted = Sinks.empty();
        backend.vm("pages.a").startWith(booted.asMono());
        Mono<List<Endpoints>> all = Flux.range(0, 50)
                .flatMap(i -> admitted(t.admit(List.of("a"), CLIENT)).ensureRunning())
                .collectList();
        StepVerifier.create(all)
                .then(booted::tryEmitEmpty)
                .assertNext(e -> assertThat(new HashSet<>(e)).hasSize(1))
                .expectComplete()
                .verify(VERIFY);
        assertThat(backend.vm("pages.a").starts()).isEqualTo(1);
        assertThat(made).hasSize(1);
    }

    @Test
    void maxRunningRefusesANewBootButNotARunningInstance() {
        TemplateInstances t = start(new InstanceBudget(100, 2, 100, 100, 0, 24, 56), pool());
        for (String page : List.of("a", "b")) {
            StepVerifier.create(admitted(t.admit(List.of(page), CLIENT)).ensureRunning()).expectNextCount(1)
                    .expectComplete().verify(VERIFY);
        }
        assertThat(t.active()).isEqualTo(2);
        assertThat(refusedFor(t.admit(List.of("c"), CLIENT))).isEqualTo(Admission.Reason.TOO_MANY_RUNNING);
        assertThat(made).as("no VM defined for a refused name").doesNotContainKey("pages.c");
        assertThat(admitted(t.admit(List.of("a"), CLIENT)).warm()).isTrue();

        timer.advanceTimeBy(Duration.ofSeconds(31)); // a and b idle: stopped
        assertThat(backend.vm("pages.a").stops()).containsExactly(StopMode.DESTROY);
        assertThat(t.active()).isZero();
        assertThat(t.admit(List.of("c"), CLIENT)).isInstanceOf(Admission.Admitted.class);
        assertThat(refused).containsExactly("pages:TOO_MANY_RUNNING");
    }

    @Test
    void theTemplateRateRefillsWithTime() {
        TemplateInstances t = start(new InstanceBudget(100, 100, 2, 3, 0, 24, 56), pool());
        List<Admission> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            first.add(t.admit(List.of("p" + i), ip("192.0.2." + (i + 10))));
        }
        assertThat(first).filteredOn(a -> a instanceof Admission.Admitted).hasSize(3); // the burst
        assertThat(refusedFor(first.get(3))).isEqualTo(Admission.Reason.RATE);
        timer.advanceTimeBy(Duration.ofMillis(500)); // 2 per second: one more token
        assertThat(t.admit(List.of("p3"), CLIENT)).isInstanceOf(Admission.Admitted.class);
        assertThat(refusedFor(t.admit(List.of("p4"), CLIENT))).isEqualTo(Admission.Reason.RATE);
    }

    @Test
    void aClientPrefixHasItsOwnBudgetAndOthersAreStillServed() {
        TemplateInstances t = start(new InstanceBudget(1000, 1000, 1000, 1000, 3, 24, 56), pool());
        int admittedFromFlood = 0;
        for (int i = 0; i < 100; i++) {
            // one /24: 198.51.100.x
            if (t.admit(List.of("r" + i), ip("198.51.100." + (i % 250 + 1))) instanceof Admission.Admitted) {
                admittedFromFlood++;
            }
        }
        assertThat(admittedFromFlood).isEqualTo(3);
        assertThat(made).hasSize(3);
        assertThat(t.admit(List.of("mine"), ip("203.0.113.7"))).as("another /24").isInstanceOf(Admission.Admitted.class);
        assertThat(t.admit(List.of("r0"), ip("198.51.100.1"))).as("a known instance needs no new token")
                .isInstanceOf(Admission.Admitted.class);
        timer.advanceTimeBy(Duration.ofSeconds(20)); // 3 per minute: one more
        assertThat(t.admit(List.of("r100"), ip("198.51.100.9"))).isInstanceOf(Admission.Admitted.class);
        assertThat(refused).allMatch(r -> r.equals("pages:CLIENT_RATE")).hasSize(97);
        assertThat(((Admission.Refused) t.admit(List.of("r200"), ip("198.51.100.77"))).message())
                .contains("client prefix 198.51.100.0/24 made 3 new instances");
    }

    @Test
    void anIdleStoppedInstanceIsForgottenAndItsAddressAndVmReleased() {
        TemplateInstances t = start(InstanceBudget.DEFAULT, pool());
        List<ManagedService> forgotten = new CopyOnWriteArrayList<>();
        t.onForgotten(forgotten::add);
        ManagedService a = admitted(t.admit(List.of("a"), CLIENT));
        StepVerifier.create(a.ensureRunning()).expectNextCount(1).expectComplete().verify(VERIFY);
        InetAddress address = a.definition().addresses().get(0);

        timer.advanceTimeBy(Duration.ofSeconds(31));
        assertThat(a.status().state()).isEqualTo(State.STOPPED);
        assertThat(t.instances()).containsExactly(a).as("stopped, not yet forgotten");
        timer.advanceTimeBy(Duration.ofMinutes(10));
        assertThat(t.instances()).isEmpty();
        assertThat(forgotten).containsExactly(a);
        assertThat(backend.released()).containsExactly("pages.a");
        assertThat(core.statuses()).isEmpty();

        StepVerifier.create(a.ensureRunning()).expectErrorSatisfies(e -> assertThat(
                ((ServiceUnavailableException) e).reason()).isEqualTo(ServiceUnavailableException.Reason.FORGOTTEN))
                .verify(VERIFY);
        ManagedService again = admitted(t.admit(List.of("a"), CLIENT));
        assertThat(again).as("a new instance").isNotSameAs(a);
        assertThat(again.definition().addresses()).as("the same name hashes to the same free address")
                .containsExactly(address);
    }

    @Test
    void atTheCapAStoppedInstanceIsForgottenEarlyAndWithoutOneTheNameIsRefused() {
        TemplateInstances t = start(new InstanceBudget(2, 2, 100, 100, 0, 24, 56), pool());
        ManagedService a = admitted(t.admit(List.of("a"), CLIENT)); // known, never booted: stopped
        ManagedService b = admitted(t.admit(List.of("b"), CLIENT));
        StepVerifier.create(b.ensureRunning()).expectNextCount(1).expectComplete().verify(VERIFY);
        StepVerifier.create(a.ensureRunning()).expectNextCount(1).expectComplete().verify(VERIFY);
        assertThat(refusedFor(t.admit(List.of("c"), CLIENT))).as("both run: nothing to forget")
                .isIn(Admission.Reason.TOO_MANY_INSTANCES, Admission.Reason.TOO_MANY_RUNNING);

        StepVerifier.create(a.stop("operator")).expectComplete().verify(VERIFY);
        ManagedService c = admitted(t.admit(List.of("c"), CLIENT));
        assertThat(t.instances()).containsExactlyInAnyOrder(b, c);
        assertThat(backend.released()).containsExactly("pages.a");
    }

    @Test
    void aFullPoolAndABackendThatRefusesAreRefusalsThatLeaveNothingAllocated() {
        AddressPool tiny = AddressPool.ranges(List.of(ip("192.0.2.0")), List.of(30)); // 2 usable
        InstanceFactory failing = (id, values) -> {
            if (values.get("page").equals("bad")) {
                throw new IllegalArgumentException("services[0].process.command: no such program");
            }
            return new InstanceFactory.Parts(backend.vm(id), List.of());
        };
        ServiceTemplate template = new ServiceTemplate("pages", List.of("page"), tiny, failing, Duration.ofSeconds(5),
                Duration.ofSeconds(30), StopMode.DESTROY, Duration.ofSeconds(1), Duration.ofMinutes(10),
                InstanceBudget.DEFAULT, "source");
        core = OnDemandCore.builder().templates(List.of(template)).timer(timer).build();
        TemplateInstances t = core.template("pages").orElseThrow();

        assertThat(refusedFor(t.admit(List.of("bad"), CLIENT))).isEqualTo(Admission.Reason.BACKEND);
        assertThat(tiny.inUse()).as("the refused instance's address went back").isZero();
        Set<InetAddress> given = new HashSet<>();
        given.addAll(admitted(t.admit(List.of("a"), CLIENT)).definition().addresses());
        given.addAll(admitted(t.admit(List.of("b"), CLIENT)).definition().addresses());
        assertThat(given).containsExactlyInAnyOrder(ip("192.0.2.1"), ip("192.0.2.2"));
        assertThat(refusedFor(t.admit(List.of("c"), CLIENT))).isEqualTo(Admission.Reason.NO_ADDRESS);
    }

    @Test
    void instancesThatRanBeforeARestartAreAdoptedAndStoppedWhenIdle() {
        backend.vm("pages.a").setState(VmState.RUNNING); // left running by the last run
        Instant then = Instant.EPOCH;
        List<String> forgotten = new CopyOnWriteArrayList<>();
        ServiceJournal journal = new ServiceJournal() {
            @Override
            public Optional<ServiceStatus> saved(String id) {
                return Optional.empty();
            }

            @Override
            public void changed(ServiceStatus status) {
            }

            @Override
            public List<ServiceStatus> savedUnder(String prefix) {
                return List.of(new ServiceStatus("pages.a", State.RUNNING, then, Optional.of(then), 3, 0,
                                Optional.of(12L)),
                        new ServiceStatus("pages.b", State.STOPPED, then, Optional.empty(), 1, 0,
                                Optional.empty()));
            }

            @Override
            public void forgotten(String id) {
                forgotten.add(id);
            }
        };
        InstanceFactory factory = (id, values) -> new InstanceFactory.Parts(backend.vm(id), List.of());
        ServiceTemplate template = new ServiceTemplate("pages", List.of("page"), pool(), factory, Duration.ofSeconds(5),
                Duration.ofSeconds(30), StopMode.DESTROY, Duration.ofSeconds(1), Duration.ofMinutes(10),
                InstanceBudget.DEFAULT, "source");
        core = OnDemandCore.builder().templates(List.of(template)).timer(timer).journal(journal)
                .idleCheckInterval(Duration.ofSeconds(1)).build();
        StepVerifier.create(core.start()).expectComplete().verify(Duration.ofSeconds(10));

        TemplateInstances t = core.template("pages").orElseThrow();
        assertThat(t.instances()).extracting(ManagedService::id).containsExactly("pages.a");
        assertThat(core.service("pages.a").orElseThrow().status().state()).as("adopted").isEqualTo(State.RUNNING);
        assertThat(t.active()).isEqualTo(1);
        assertThat(forgotten).as("the record of a stopped instance goes").containsExactly("pages.b");
        assertThat(backend.vm("pages.a").starts()).isZero();

        timer.advanceTimeBy(Duration.ofSeconds(31));
        assertThat(backend.vm("pages.a").stops()).containsExactly(StopMode.DESTROY);
        timer.advanceTimeBy(Duration.ofMinutes(10));
        assertThat(forgotten).containsExactly("pages.b", "pages.a");
    }

    @Test
    void aReplicatedTemplateGivesEachInstanceItsReplicasEachWithItsOwnVmAndAddress() {
        InstanceFactory factory = (id, values) -> {
            made.put(id, values);
            return new InstanceFactory.Parts(backend.vm(id), List.of());
        };
        ServiceTemplate template = new ServiceTemplate("pages", List.of("page"), pool(), factory, Duration.ofSeconds(5),
                Duration.ofSeconds(30), StopMode.DESTROY, Duration.ofSeconds(1), Duration.ofMinutes(10),
                InstanceBudget.DEFAULT, "source", Optional.of(new ReplicaPolicy(1, 2, 10)));
        core = OnDemandCore.builder().templates(List.of(template)).timer(timer).idleCheckInterval(Duration.ofSeconds(1))
                .build();
        StepVerifier.create(core.start()).expectComplete().verify(Duration.ofSeconds(10));
        TemplateInstances t = core.template("pages").orElseThrow();

        Admission.Admitted a = (Admission.Admitted) t.admit(List.of("a"), CLIENT);
        ReplicaSet set = a.replicas();
        assertThat(set).isNotNull();
        assertThat(set.size()).isEqualTo(2);
        assertThat(set.replica(0).id()).isEqualTo("pages.a.r1");
        assertThat(set.replica(1).id()).isEqualTo("pages.a.r2");
        assertThat(set.replica(0).definition().addresses()).doesNotContainAnyElementsOf(set.replica(1).definition()
                .addresses());
        assertThat(made.get("pages.a.r2")).containsEntry("replica", "2").containsEntry("page", "a");
        assertThat(core.service("pages.a.r2")).containsSame(set.replica(1));

        StepVerifier.create(set.ensureRunning()).expectNext(0).expectComplete().verify(VERIFY);
        assertThat(backend.vm("pages.a.r2").starts()).as("a cold instance boots replica 1 only").isZero();
        timer.advanceTimeBy(Duration.ofSeconds(1)); // the template's tick is the set's: a baseline
        for (int i = 0; i < 50; i++) {
            set.pickRoundRobin(i);
        }
        timer.advanceTimeBy(Duration.ofSeconds(1)); // 50/s against 10 per replica: replica 2 boots
        assertThat(backend.vm("pages.a.r2").starts()).isEqualTo(1);
        assertThat(t.active()).as("one instance, however many replicas").isEqualTo(1);

        timer.advanceTimeBy(Duration.ofSeconds(31)); // both idle: stopped
        timer.advanceTimeBy(Duration.ofMinutes(10)); // forgotten with its replicas
        assertThat(t.instances()).isEmpty();
        assertThat(backend.released()).containsExactlyInAnyOrder("pages.a.r1", "pages.a.r2");
    }
}
