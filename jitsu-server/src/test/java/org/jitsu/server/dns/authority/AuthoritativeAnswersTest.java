package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jitsu.server.dns.authority.Fixtures.APEX;
import static org.jitsu.server.dns.authority.Fixtures.SOA;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.ip;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.zone;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.Map;
import org.jitsu.backend.VmState;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** What the pipeline answers from the zones, with every service already running. */
@Tag("fast")
class AuthoritativeAnswersTest {
    private static final ResourceRecord.Soa NEGATIVE = SOA.forNegativeAnswer();
    private static final int MX = 15;

    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final ScriptedVm webVm = backend.vm("web").setState(VmState.RUNNING);
    private final ScriptedVm dualVm = backend.vm("dual").setState(VmState.RUNNING);
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandPipeline pipeline;

    @BeforeEach
    void setUp() {
        DomainName subApex = DomainName.of("sub.example.test");
        ZoneDefinition sub = new ZoneDefinition(subApex,
                new ResourceRecord.Soa(subApex, 60, DomainName.of("ns1.example.test"), DomainName.of("h.example.test"),
                        7, 1, 1, 1, 30),
                List.of(DomainName.of("ns1.example.test")), 120, Map.of());
        pipeline = OnDemandPipeline.builder()
                .zones(List.of(zone(), sub))
                .services(List.of(
                        new Service("web", webVm).names("web.example.test", "www.app.example.test").build(),
                        new Service("dual", dualVm).addresses("127.0.0.11", "::1").build()))
                .timer(timer)
                .metrics(metrics)
                .build();
        pipeline.start().block(Fixtures.VERIFY_TIMEOUT);
    }

    @AfterEach
    void tearDown() {
        pipeline.close();
        timer.dispose();
    }

    @Test
    void warmAnswerMakesNoBackendCallAndReusesThePrebuiltAnswer() {
        int callsAfterStart = webVm.backendCalls();
        Answer.Found found = assertFound(resolve(pipeline, query("web.example.test", RecordType.A)));
        assertThat(found.answers()).containsExactly(
                new ResourceRecord.A(DomainName.of("web.example.test"), 30, (Inet4Address) ip("127.0.0.10")));
        assertThat(found.authority()).isEmpty();
        assertThat(webVm.backendCalls()).isEqualTo(callsAfterStart);
        assertThat(metrics.warmHits).hasValue(1);
        assertThat(pipeline.resolve(query("web.example.test", RecordType.A)))
                .isSameAs(pipeline.resolve(query("web.example.test", RecordType.A)));
    }

    @Test
    void everyNameOfAServiceAnswersWithItsOwnOwner() {
        Answer.Found found = assertFound(resolve(pipeline, query("www.app.example.test", RecordType.A)));
        assertThat(found.answers()).extracting(ResourceRecord::owner)
                .containsExactly(DomainName.of("www.app.example.test"));
    }

    @Test
    void aaaaAndAnyForADualStackService() {
        Answer.Found aaaa = assertFound(resolve(pipeline, query("dual.example.test", RecordType.AAAA)));
        assertThat(aaaa.answers()).containsExactly(
                new ResourceRecord.Aaaa(DomainName.of("dual.example.test"), 30, (Inet6Address) ip("::1")));
        Answer.Found any = assertFound(resolve(pipeline, query("dual.example.test", RecordType.ANY)));
        assertThat(any.answers()).extracting(ResourceRecord::type).containsExactly(RecordType.A, RecordType.AAAA);
        assertThat(any.answers()).allSatisfy(r -> assertThat(r.ttl()).isEqualTo(30));
    }

    @Test
    void typeTheServiceHasNoRecordsForIsNoDataAndStillCountsAsTraffic() {
        timer.advanceTimeBy(java.time.Duration.ofSeconds(7));
        assertThat(resolve(pipeline, query("web.example.test", RecordType.AAAA))).isEqualTo(new Answer.NoData(NEGATIVE));
        assertThat(resolve(pipeline, query("web.example.test", MX))).isEqualTo(new Answer.NoData(NEGATIVE));
        assertThat(pipeline.core().status("web").orElseThrow().lastQuery())
                .contains(java.time.Instant.ofEpochMilli(7_000));
    }

    @Test
    void apexSoaNsAndAny() {
        assertThat(assertFound(resolve(pipeline, query("example.test", RecordType.SOA))).answers()).containsExactly(SOA);

        Answer.Found ns = assertFound(resolve(pipeline, query("example.test", RecordType.NS)));
        assertThat(ns.answers()).containsExactly(
                new ResourceRecord.Ns(APEX, 600, DomainName.of("ns1.example.test")),
                new ResourceRecord.Ns(APEX, 600, DomainName.of("ns2.elsewhere.test")));
        // glue only for the name server that has a hosts entry
        assertThat(ns.additional()).containsExactly(
                new ResourceRecord.A(DomainName.of("ns1.example.test"), 600, (Inet4Address) ip("127.0.0.53")),
                new ResourceRecord.Aaaa(DomainName.of("ns1.example.test"), 600, (Inet6Address) ip("::53")));

        Answer.Found any = assertFound(resolve(pipeline, query("example.test", RecordType.ANY)));
        assertThat(any.answers()).extracting(ResourceRecord::type)
                .containsExactly(RecordType.SOA, RecordType.NS, RecordType.NS);

        assertThat(resolve(pipeline, query("example.test", RecordType.A))).isEqualTo(new Answer.NoData(NEGATIVE));
        assertThat(resolve(pipeline, query("EXAMPLE.test.", MX))).isEqualTo(new Answer.NoData(NEGATIVE));
    }

    @Test
    void staticHosts() {
        Answer.Found a = assertFound(resolve(pipeline, query("static.example.test", RecordType.A)));
        assertThat(a.answers()).containsExactly(
                new ResourceRecord.A(DomainName.of("static.example.test"), 600, (Inet4Address) ip("127.0.0.20")));
        assertThat(resolve(pipeline, query("static.example.test", RecordType.AAAA)))
                .isEqualTo(new Answer.NoData(NEGATIVE));
        assertThat(assertFound(resolve(pipeline, query("ns1.example.test", RecordType.AAAA))).answers())
                .containsExactly(new ResourceRecord.Aaaa(DomainName.of("ns1.example.test"), 600,
                        (Inet6Address) ip("::53")));
        assertThat(resolve(pipeline, query("static.example.test", RecordType.SOA)))
                .isEqualTo(new Answer.NoData(NEGATIVE));
    }

    @Test
    void emptyNonTerminalIsNoData() {
        assertThat(resolve(pipeline, query("app.example.test", RecordType.A))).isEqualTo(new Answer.NoData(NEGATIVE));
    }

    @Test
    void unknownNamesAreNxDomainWithTheNegativeSoa() {
        assertThat(NEGATIVE.ttl()).isEqualTo(300);
        assertThat(resolve(pipeline, query("nope.example.test", RecordType.A))).isEqualTo(new Answer.NxDomain(NEGATIVE));
        assertThat(resolve(pipeline, query("x.web.example.test", RecordType.A)))
                .isEqualTo(new Answer.NxDomain(NEGATIVE));
        assertThat(resolve(pipeline, query("a.b.nope.example.test", RecordType.AAAA)))
                .isEqualTo(new Answer.NxDomain(NEGATIVE));
    }

    @Test
    void theClosestEnclosingZoneDecides() {
        Answer nx = resolve(pipeline, query("nope.sub.example.test", RecordType.A));
        assertThat(nx).isInstanceOf(Answer.NxDomain.class);
        assertThat(((Answer.NxDomain) nx).soa().owner()).isEqualTo(DomainName.of("sub.example.test"));
        assertThat(((Answer.NxDomain) nx).soa().ttl()).isEqualTo(30);
        assertThat(assertFound(resolve(pipeline, query("sub.example.test", RecordType.SOA))).answers())
                .extracting(r -> ((ResourceRecord.Soa) r).serial()).containsExactly(7L);
    }

    @Test
    void namesOutsideOurZonesAreNotAuthoritative() {
        assertThat(resolve(pipeline, query("www.elsewhere.test", RecordType.A))).isSameAs(Answer.NOT_AUTHORITATIVE);
        assertThat(resolve(pipeline, query("test", RecordType.SOA))).isSameAs(Answer.NOT_AUTHORITATIVE);
        assertThat(resolve(pipeline, query(".", RecordType.NS))).isSameAs(Answer.NOT_AUTHORITATIVE);
    }

    @Test
    void aNameMayBelongToOneServiceOnly() {
        OnDemandPipeline.Builder builder = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("a", backend.vm("a")).names("same.example.test").build(),
                        new Service("b", backend.vm("b")).names("same.example.test").build()));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same.example.test.").hasMessageContaining("a and b");
    }

    @Test
    void serviceNamesOutsideEveryZoneAreRejected() {
        OnDemandPipeline.Builder builder = OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(List.of(new Service("a", backend.vm("a")).names("a.elsewhere.test").build()));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a.elsewhere.test.").hasMessageContaining("none of the zones");
    }

    @Test
    void otherConfigMistakesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> OnDemandPipeline.builder().zones(List.of(zone(), zone())).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("example.test.");
        assertThatThrownBy(() -> OnDemandPipeline.builder().zones(List.of(zone()))
                .services(List.of(new Service("s", backend.vm("s")).names("static.example.test").build())).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("static.example.test.");
        assertThatThrownBy(() -> OnDemandPipeline.builder().zones(List.of(zone()))
                .services(List.of(new Service("s", backend.vm("s")).build(), new Service("s", backend.vm("t"))
                        .names("t.example.test").build())).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s");
        assertThatThrownBy(() -> OnDemandPipeline.builder().zones(List.of(zone()))
                .services(List.of(new Service("s", backend.vm("s")).bootTimeout(java.time.Duration.ZERO).build()))
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> OnDemandPipeline.builder().idleCheckInterval(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleCheckInterval");
    }
}
