package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.ip;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.started;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.AddressPool;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.InstanceBudget;
import org.jitsu.server.core.InstanceFactory;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.core.ServiceTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The DNS answers for a template's names: instances made by address queries, every other case at once. */
@Tag("fast")
class TemplateAnswersTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("scripted");
    private OnDemandPipeline pipeline;

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close();
        }
        timer.dispose();
    }

    private OnDemandPipeline pipeline(InstanceBudget budget, boolean refused) {
        InstanceFactory factory = (id, values) -> new InstanceFactory.Parts(backend.vm(id), List.of());
        ServiceTemplate t = new ServiceTemplate("pages", List.of("page"),
                AddressPool.ranges(List.of(ip("127.1.0.0"), ip("fd00:1::")), List.of(16, 64)), factory,
                Duration.ofSeconds(5), Duration.ofSeconds(60), StopMode.DESTROY, Duration.ofSeconds(1),
                Duration.ofMinutes(10), budget, "source");
        NamePattern pattern = NamePattern.parse("{page}.pages.example.test",
                List.of(new NamePattern.Rule("page", NamePattern.HOST_LABEL, 20, Set.of("www"))));
        pipeline = started(Fixtures.pipeline(timer, CoreMetrics.NOOP, List.of())
                .templates(List.of(new NamedTemplate(t, pattern, 30, refused))));
        return pipeline;
    }

    @Test
    void anAddressQueryMakesAndBootsTheInstanceAndAnswersWithItsAddresses() {
        pipeline(InstanceBudget.DEFAULT, false);
        Answer.Found a = assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        Answer.Found b = assertFound(resolve(pipeline, query("b.pages.example.test", RecordType.A)));
        assertThat(a.answers()).hasSize(1);
        ResourceRecord.A ra = (ResourceRecord.A) a.answers().get(0);
        ResourceRecord.A rb = (ResourceRecord.A) b.answers().get(0);
        assertThat(ra.owner()).isEqualTo(DomainName.of("a.pages.example.test"));
        assertThat(ra.ttl()).isEqualTo(30);
        assertThat(ra.address()).isNotEqualTo(rb.address());
        assertThat(ra.address().getHostAddress()).startsWith("127.1.");
        assertThat(backend.vm("pages.a").starts()).isEqualTo(1);

        Answer.Found aaaa = assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.AAAA)));
        assertThat(aaaa.answers()).hasSize(1);
        assertThat(backend.vm("pages.a").starts()).as("the same instance").isEqualTo(1);
    }

    @Test
    void aRunningInstanceIsAnsweredWithAScalar() throws Exception {
        pipeline(InstanceBudget.DEFAULT, false);
        Answer first = resolve(pipeline, query("a.pages.example.test", RecordType.A));
        Mono<Answer> warm = pipeline.resolve(query("a.pages.example.test", RecordType.A));
        assertThat(warm).isInstanceOf(Callable.class);
        assertThat(((Callable<?>) warm).call()).isEqualTo(first);
        assertThat(pipeline.resolve(query("a.pages.example.test", RecordType.A))).isSameAs(warm);
    }

    @Test
    void namesOutsideTheRulesAreNxdomainAndBootNothing() {
        pipeline(InstanceBudget.DEFAULT, false);
        for (String name : List.of("x_y.pages.example.test", "www.pages.example.test",
                "a-very-long-label-over-20.pages.example.test", "x.a.pages.example.test")) {
            assertThat(resolve(pipeline, query(name, RecordType.A))).as(name).isInstanceOf(Answer.NxDomain.class);
        }
        assertThat(resolve(pipeline, query("pages.example.test", RecordType.A)))
                .as("the pattern's suffix exists (an empty non-terminal)").isInstanceOf(Answer.NoData.class);
        assertThat(pipeline.core().statuses()).isEmpty();
    }

    @Test
    void otherQuestionTypesNeverMakeAnInstance() {
        pipeline(InstanceBudget.DEFAULT, false);
        assertThat(resolve(pipeline, query("c.pages.example.test", 15 /* MX */))).isInstanceOf(Answer.NoData.class);
        assertThat(resolve(pipeline, query("c.pages.example.test", 16 /* TXT */))).isInstanceOf(Answer.NoData.class);
        assertThat(pipeline.core().statuses()).isEmpty();
    }

    private static final InstanceBudget ONE_RUNNING = new InstanceBudget(100, 1, 100, 100, 0, 24, 56);

    @Test
    void aNameOverBudgetGetsServfailAtOnce() {
        pipeline(ONE_RUNNING, false);
        assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        assertThat(resolve(pipeline, query("b.pages.example.test", RecordType.A))).isInstanceOf(Answer.ServerFailure.class);
        assertThat(backend.vm("pages.b").starts()).isZero();
    }

    @Test
    void aNameOverBudgetGetsRefusedWhenTheTemplateSaysSo() {
        pipeline(ONE_RUNNING, true);
        assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        assertThat(resolve(pipeline, query("b.pages.example.test", RecordType.A))).isInstanceOf(Answer.Refused.class);
    }

    @Test
    void aForgottenInstanceLosesItsNodeAndTheNextQueryMakesANewOne() {
        pipeline(InstanceBudget.DEFAULT, false);
        assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        DefaultOnDemandPipeline probe = (DefaultOnDemandPipeline) pipeline;
        assertThat(probe.instanceNodes()).isEqualTo(1);
        timer.advanceTimeBy(Duration.ofSeconds(61)); // idle: stopped
        timer.advanceTimeBy(Duration.ofMinutes(11)); // unused: forgotten
        assertThat(pipeline.core().statuses()).isEmpty();
        assertThat(probe.instanceNodes()).isZero();

        assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        assertThat(backend.released()).containsExactly("pages.a");
        assertThat(backend.vm("pages.a").starts()).as("a new VM handle, started once").isEqualTo(1);
    }

    @Test
    void stateStaysBoundedByTheCapNotByTheNamesEverAsked() {
        pipeline(new InstanceBudget(100, 100, 1_000_000, 1_000_000, 0, 24, 56), false);
        DefaultOnDemandPipeline probe = (DefaultOnDemandPipeline) pipeline;
        int answered = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 100; i++) {
                Answer a = resolve(pipeline, query("r" + round + "n" + i + ".pages.example.test", RecordType.A));
                if (a instanceof Answer.Found) {
                    answered++;
                }
            }
            assertThat(pipeline.core().statuses()).hasSizeLessThanOrEqualTo(100);
            assertThat(probe.instanceNodes()).isLessThanOrEqualTo(100);
            timer.advanceTimeBy(Duration.ofSeconds(66)); // idle 60 s + one 5 s idle tick: this round stops
        }
        assertThat(answered).as("every name answered: stopped instances were forgotten to make room").isEqualTo(2000);
        assertThat(backend.released()).hasSize(1900);
    }

    @Test
    void aReplicatedInstanceIsAnsweredByItsRunningReplicas() {
        InstanceFactory factory = (id, values) -> new InstanceFactory.Parts(backend.vm(id), List.of());
        ServiceTemplate t = new ServiceTemplate("pages", List.of("page"),
                AddressPool.ranges(List.of(ip("127.1.0.0")), List.of(16)), factory, Duration.ofSeconds(5),
                Duration.ofSeconds(60), StopMode.DESTROY, Duration.ofSeconds(1), Duration.ofMinutes(10),
                InstanceBudget.DEFAULT, "source", Optional.of(new ReplicaPolicy(1, 2, 10)));
        pipeline = started(Fixtures.pipeline(timer, CoreMetrics.NOOP, List.of()).templates(List.of(new NamedTemplate(t,
                NamePattern.parse("{page}.pages.example.test", List.of()), 30, false))));
        Answer.Found first = assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)));
        InetAddress one = ((ResourceRecord.A) first.answers().get(0)).address();
        assertThat(backend.vm("pages.a.r2").starts()).isZero();
        pipeline.core().service("pages.a.r2").orElseThrow().start().block(Duration.ofSeconds(5));
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(((ResourceRecord.A) assertFound(resolve(pipeline, query("a.pages.example.test", RecordType.A)))
                    .answers().get(0)).address());
        }
        assertThat(seen).hasSize(2).contains(one);
    }
}
