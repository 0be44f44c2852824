package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jitsu.server.dns.authority.Fixtures.VERIFY_TIMEOUT;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.zone;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ReloadResult;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.core.ServiceUnavailableException;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Reloads swap zones and services at once; operators start and stop services; metrics of cold waits. */
@Tag("fast")
class ReloadTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final CountingMetrics metrics = new CountingMetrics();

    @AfterEach
    void dispose() {
        timer.dispose();
    }

    private OnDemandPipeline pipeline(List<NamedService> services) {
        OnDemandPipeline p = OnDemandPipeline.builder().zones(List.of(zone())).services(services).timer(timer)
                .metrics(metrics).build();
        p.start().block(VERIFY_TIMEOUT);
        return p;
    }

    @Test
    void unchangedServicesKeepTheirStateNewOnesAreServedRemovedOnesStopped() {
        ScriptedVm web = backend.vm("web").setState(VmState.RUNNING);
        ScriptedVm old = backend.vm("old").setState(VmState.RUNNING);
        NamedService webDef = new Service("web", web).build();
        try (OnDemandPipeline p = pipeline(List.of(webDef, new Service("old", old).build()))) {
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            ScriptedVm fresh = backend.vm("fresh");

            ReloadResult r = p.reload(List.of(zone()), List.of(webDef, new Service("fresh", fresh).build()));

            assertThat(r.kept()).containsExactly("web");
            assertThat(r.added()).containsExactly("fresh");
            assertThat(r.removed()).containsExactly("old");
            // the kept service is still running and answered at once, without a backend call
            assertFound(resolve(p, query("web.example.test", RecordType.A)));
            assertThat(web.starts()).isZero();
            // the removed one is stopped, and its name is gone
            assertThat(old.stops()).containsExactly(StopMode.DESTROY);
            assertThat(resolve(p, query("old.example.test", RecordType.A))).isInstanceOf(Answer.NxDomain.class);
            assertThat(metrics.stops).contains("old:destroy:removed");
            // the new one boots on its first query
            assertFound(resolve(p, query("fresh.example.test", RecordType.A)));
            assertThat(fresh.starts()).isEqualTo(1);
            assertThat(p.core().statuses()).extracting(ServiceStatus::id).containsExactly("web", "fresh");
            assertThat(p.definitions()).extracting(NamedService::id).containsExactly("web", "fresh");
        }
    }

    @Test
    void changedServiceIsReplaced() {
        ScriptedVm web = backend.vm("web").setState(VmState.RUNNING);
        try (OnDemandPipeline p = pipeline(List.of(new Service("web", web).build()))) {
            ReloadResult r = p.reload(List.of(zone()), List.of(new Service("web", web).addresses("127.0.0.11").build()));
            assertThat(r.changed()).containsExactly("web");
            Answer.Found found = assertFound(resolve(p, query("web.example.test", RecordType.A)));
            assertThat(found.answers()).extracting(Object::toString).anyMatch(s -> s.contains("127.0.0.11"));
        }
    }

    @Test
    void invalidReloadChangesNothing() {
        ScriptedVm web = backend.vm("web").setState(VmState.RUNNING);
        NamedService webDef = new Service("web", web).build();
        try (OnDemandPipeline p = pipeline(List.of(webDef))) {
            NamedService outside = new Service("x", backend.vm("x")).names("x.elsewhere.test").build();
            assertThatThrownBy(() -> p.reload(List.of(zone()), List.of(webDef, outside)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.elsewhere.test");
            NamedService twice = new Service("web", backend.vm("web2")).names("web2.example.test").build();
            assertThatThrownBy(() -> p.reload(List.of(zone()), List.of(webDef, twice)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service id web is used twice");
            // a non-positive timeout never gets that far: the definition itself refuses it
            assertThatThrownBy(() -> new Service("y", backend.vm("y")).bootTimeout(Duration.ZERO).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootTimeout");
            assertThat(p.definitions()).containsExactly(webDef);
            assertFound(resolve(p, query("web.example.test", RecordType.A)));
            assertThat(web.stops()).isEmpty();
        }
    }

    @Test
    void operatorStartAndStop() {
        ScriptedVm web = backend.vm("web");
        try (OnDemandPipeline p = pipeline(List.of(new Service("web", web).build()))) {
            StepVerifier.create(p.core().service("web").orElseThrow().start())
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(web.starts()).isEqualTo(1);
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.RUNNING);
            assertThat(p.core().status("web").orElseThrow().lastQuery()).as("an operator's start is no query").isEmpty();

            StepVerifier.create(p.core().service("web").orElseThrow().stop("operator")).expectComplete().verify(VERIFY_TIMEOUT);
            assertThat(web.stops()).containsExactly(StopMode.DESTROY);
            assertThat(p.core().status("web").orElseThrow().state()).isEqualTo(ServiceStatus.State.STOPPED);
            assertThat(metrics.stops).containsExactly("web:destroy:operator");
            assertThat(p.core().service("nosuch")).isEmpty();
        }
    }

    @Test
    void failedOperatorStartSaysWhy() {
        ScriptedVm web = backend.vm("web").startWith(Mono.error(new IllegalStateException("no memory")));
        try (OnDemandPipeline p = pipeline(List.of(new Service("web", web).build()))) {
            StepVerifier.create(p.core().service("web").orElseThrow().start())
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ServiceUnavailableException.class)
                            .hasMessageContaining("no memory"))
                    .verify(VERIFY_TIMEOUT);
        }
    }

    @Test
    void coldQueriesReportTheirWaitOnTheTimer() {
        ScriptedVm web = backend.vm("web").startWith(Mono.delay(Duration.ofMillis(700), timer).then());
        try (OnDemandPipeline p = pipeline(List.of(new Service("web", web).build()))) {
            StepVerifier.withVirtualTime(() -> p.resolve(query("web.example.test", RecordType.A)), () -> timer,
                            Long.MAX_VALUE)
                    .expectSubscription()
                    .thenAwait(Duration.ofMillis(700))
                    .assertNext(Fixtures::assertFound)
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
            assertThat(metrics.coldWaits).containsExactly("web:700:true");
        }
    }

    @Test
    void bootsDoneWaitsForABootInFlight() {
        ScriptedVm web = backend.vm("web").startWith(Mono.delay(Duration.ofSeconds(2), timer).then());
        try (OnDemandPipeline p = pipeline(List.of(new Service("web", web).build()))) {
            StepVerifier.create(p.core().bootsDone(Duration.ofMillis(50))).expectComplete().verify(VERIFY_TIMEOUT);
            p.resolve(query("web.example.test", 65)).block(VERIFY_TIMEOUT); // starts a boot
            StepVerifier.withVirtualTime(() -> p.core().bootsDone(Duration.ofMillis(50)), () -> timer, Long.MAX_VALUE)
                    .expectSubscription()
                    .expectNoEvent(Duration.ofSeconds(1))
                    .thenAwait(Duration.ofSeconds(2))
                    .expectComplete()
                    .verify(VERIFY_TIMEOUT);
        }
    }

    @Test
    void aLongListOfServicesIsShortenedInTheMessage() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            many.add("s" + i);
        }
        String text = new ReloadResult(many, List.of("new"), List.of(), List.of()).toString();
        assertThat(text).startsWith("kept [s0, s1, s2,").contains("s19, ... (100000 in all)]")
                .endsWith("added [new], changed [], removed []").doesNotContain("s20,");
        assertThat(new ReloadResult(List.of("a", "b"), List.of(), List.of("c"), List.of()).toString())
                .isEqualTo("kept [a, b], added [], changed [c], removed []");
    }
}
