package org.jitsu.server.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jitsu.backend.BackendException;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.core.ServiceUnavailableException.Reason;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.CountingMetrics;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The on-demand core as a client that speaks no DNS uses it (the coming proxy, an operator's API):
 * services by id, {@code ensureRunning()} giving endpoints, on virtual time with the test kit's
 * scripted backend.
 */
@Tag("fast")
class OnDemandCoreTest {
    private static final Duration VERIFY = Duration.ofSeconds(10);
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandCore core;

    @AfterEach
    void tearDown() {
        if (core != null) {
            core.close();
        }
        timer.dispose();
    }

    private OnDemandCore start(ServiceDefinition... services) {
        core = OnDemandCore.builder().services(List.of(services)).timer(timer).metrics(metrics)
                .idleCheckInterval(Duration.ofSeconds(1)).build();
        StepVerifier.create(core.start()).expectComplete().verify(Duration.ofSeconds(10));
        return core;
    }

    private static ServiceDefinition service(String id, ScriptedVm vm, String... addresses) {
        return new ServiceDefinition(id, ips(addresses), vm, List.of(), Duration.ofSeconds(5), Duration.ofSeconds(30),
                StopMode.DESTROY, Duration.ofSeconds(1));
    }

    private ManagedService managed(String id) {
        return core.service(id).orElseThrow();
    }

    @Test
    void concurrentCallersShareOneBootAndAllGetTheEndpoints() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> booted = Sinks.empty();
        vm.startWith(booted.asMono());
        start(service("web", vm, "192.0.2.10", "2001:db8::10"));

        Mono<List<Endpoints>> all = Flux.range(0, 100).flatMap(i -> managed("web").ensureRunning()).collectList();
        StepVerifier.create(all)
                .then(() -> {
                    assertThat(vm.starts()).isEqualTo(1);
                    assertThat(managed("web").status().state()).isEqualTo(State.BOOTING);
                    booted.tryEmitEmpty();
                })
                .assertNext(endpoints -> assertThat(endpoints).hasSize(100).containsOnly(
                        new Endpoints(ips("192.0.2.10", "2001:db8::10"))))
                .expectComplete()
                .verify(VERIFY);
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(metrics.started).hasValue(1);
        assertThat(metrics.joined).hasValue(99);
        assertThat(managed("web").status().state()).isEqualTo(State.RUNNING);
    }

    @Test
    void aRunningServiceAnswersWithOneScalarMonoAndNoBackendCall() throws Exception {
        ScriptedVm vm = backend.vm("web").setState(VmState.RUNNING);
        start(service("web", vm, "192.0.2.10"));
        int calls = vm.backendCalls();

        Mono<Endpoints> first = managed("web").ensureRunning();
        Mono<Endpoints> second = managed("web").ensureRunning();
        assertThat(second).isSameAs(first);
        assertThat(first).as("scalar: a caller may take the value without subscribing").isInstanceOf(Callable.class);
        @SuppressWarnings("unchecked")
        Endpoints now = ((Callable<Endpoints>) first).call();
        assertThat(now.addresses()).containsExactly(ips("192.0.2.10").get(0));
        assertThat(managed("web").warm()).isTrue();
        assertThat(vm.backendCalls()).isEqualTo(calls);
    }

    @Test
    void aFailedBootErrorsWithItsReasonAndTheNextCallBootsAgain() {
        ScriptedVm vm = backend.vm("web").startWith(Mono.error(new BackendException("web", "no-memory", "no memory")));
        start(service("web", vm, "192.0.2.10"));

        StepVerifier.create(managed("web").ensureRunning())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(ServiceUnavailableException.class,
                        u -> {
                            assertThat(u.serviceId()).isEqualTo("web");
                            assertThat(u.reason()).isEqualTo(Reason.BOOT_FAILED);
                        }))
                .verify(VERIFY);
        assertThat(vm.stops()).as("a failed boot destroys what it started").containsExactly(StopMode.DESTROY);

        vm.startWith(Mono.empty());
        StepVerifier.create(managed("web").ensureRunning()).expectNextCount(1).expectComplete().verify(VERIFY);
        assertThat(vm.starts()).isEqualTo(2);
    }

    @Test
    void aBootPastItsTimeoutErrorsTimedOut() {
        ScriptedVm vm = backend.vm("web").startWith(Mono.never());
        start(service("web", vm, "192.0.2.10"));

        StepVerifier.withVirtualTime(() -> managed("web").ensureRunning(), () -> timer, Long.MAX_VALUE)
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(e -> assertThat(((ServiceUnavailableException) e).reason())
                        .isEqualTo(Reason.BOOT_TIMED_OUT))
                .verify(VERIFY);
        assertThat(metrics.timedOut).hasValue(1);
    }

    @Test
    void touchBootsInTheBackgroundAndIdleServicesStop() {
        ScriptedVm vm = backend.vm("web");
        start(service("web", vm, "192.0.2.10"));

        managed("web").touch();
        assertThat(vm.starts()).isEqualTo(1);
        assertThat(managed("web").status().state()).isEqualTo(State.RUNNING);

        timer.advanceTimeBy(Duration.ofSeconds(29));
        assertThat(vm.stops()).isEmpty();
        timer.advanceTimeBy(Duration.ofSeconds(2));
        assertThat(vm.stops()).containsExactly(StopMode.DESTROY);
        assertThat(managed("web").status().state()).isEqualTo(State.STOPPED);
    }

    @Test
    void aReloadKeepsAnUnchangedServiceRunningAndStopsARemovedOne() {
        ScriptedVm web = backend.vm("web").setState(VmState.RUNNING);
        ScriptedVm old = backend.vm("old").setState(VmState.RUNNING);
        ServiceDefinition webDef = service("web", web, "192.0.2.10");
        start(webDef, service("old", old, "192.0.2.11"));
        ManagedService before = managed("web");

        ScriptedVm added = backend.vm("new");
        OnDemandCore.Reload reload = core.prepare(List.of(webDef, service("new", added, "192.0.2.12")));
        assertThat(core.service("new")).as("nothing changes before the commit").isEmpty();
        ReloadResult result = reload.commit(() -> { });

        assertThat(result.kept()).containsExactly("web");
        assertThat(result.added()).containsExactly("new");
        assertThat(result.removed()).containsExactly("old");
        assertThat(managed("web")).isSameAs(before);
        assertThat(managed("web").warm()).isTrue();
        assertThat(old.stops()).containsExactly(StopMode.DESTROY);
        assertThat(core.service("old")).isEmpty();
        assertThat(added.starts()).as("an added service boots only when asked for").isZero();
    }

    @Test
    void aBootIsLaunchedOnTheCoresTimerNotOnTheCallersThread() {
        Scheduler coreTimer = Schedulers.newSingle("core-timer");
        try {
            List<String> startedOn = new CopyOnWriteArrayList<>();
            ScriptedVm vm = backend.vm("web");
            vm.startWith(Mono.fromRunnable(() -> startedOn.add(Thread.currentThread().getName())));
            core = OnDemandCore.builder().services(List.of(service("web", vm, "192.0.2.10"))).timer(coreTimer)
                    .metrics(metrics).idleCheckInterval(Duration.ofSeconds(1)).build();
            StepVerifier.create(core.start()).expectComplete().verify(VERIFY);

            managed("web").touch(); // an at-once answer's call, from a DNS event loop in the server
            Await.until("the VM started", () -> vm.starts() == 1);
            assertThat(startedOn).singleElement().asString().as("the caller returned before the launch")
                    .startsWith("core-timer");
            Await.until("running", () -> managed("web").status().state() == State.RUNNING);
            assertThat(managed("web").ensureRunning().block(VERIFY).addresses()).containsExactly(ips("192.0.2.10")
                    .toArray(InetAddress[]::new));
        } finally {
            if (core != null) {
                core.close();
                core = null;
            }
            coreTimer.dispose();
        }
    }

    @Test
    void aServiceIdUsedTwiceIsRefusedBeforeAnythingStarts() {
        ScriptedVm vm = backend.vm("web");
        assertThatThrownBy(() -> OnDemandCore.builder()
                .services(List.of(service("web", vm, "192.0.2.10"), service("web", vm, "192.0.2.11"))).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("web");
        assertThat(vm.backendCalls()).isZero();
    }

    private static List<InetAddress> ips(String... literals) {
        return Arrays.stream(literals).map(l -> IpLiteral.parse(l).orElseThrow()).toList();
    }
}
