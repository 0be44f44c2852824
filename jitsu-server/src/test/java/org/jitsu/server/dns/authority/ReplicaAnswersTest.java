package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.ip;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.started;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.ReplicaPolicy;
import org.jitsu.server.core.ServiceDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The DNS answers of a replicated service: only running replicas, per client or round robin. */
@Tag("fast")
class ReplicaAnswersTest {
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

    private void pipeline(NamedReplicas.Selection selection) {
        pipeline(selection, Sites.NONE);
    }

    private void pipeline(NamedReplicas.Selection selection, Sites sites) {
        List<ServiceDefinition> replicas = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            replicas.add(new ServiceDefinition("home.r" + k, List.of(ip("127.0.0.1" + k), ip("fd00::1" + k)),
                    backend.vm("home.r" + k), List.of(), Duration.ofSeconds(5), Duration.ofMinutes(10),
                    StopMode.DESTROY, Duration.ZERO));
        }
        NamedReplicas home = new NamedReplicas("home", replicas, new ReplicaPolicy(1, 3, 10),
                List.of(DomainName.of("home.example.test")), 5, selection, sites);
        pipeline = started(Fixtures.pipeline(timer, CoreMetrics.NOOP, List.of()).replicated(List.of(home)));
    }

    private static Query query(int type, String client) {
        return new Query(DomainName.of("home.example.test"), type, new InetSocketAddress(ip(client), 5353),
                Transport.UDP);
    }

    private InetAddress address(Answer a) {
        ResourceRecord r = assertFound(a).answers().get(0);
        return r instanceof ResourceRecord.A v4 ? v4.address() : ((ResourceRecord.Aaaa) r).address();
    }

    private void runAll() {
        for (int k = 1; k <= 3; k++) {
            pipeline.core().service("home.r" + k).orElseThrow().start().block(Duration.ofSeconds(5));
        }
    }

    @Test
    void aColdNameWaitsForTheFirstReplicaOnly() {
        pipeline(NamedReplicas.Selection.ROUND_ROBIN);
        assertThat(address(resolve(pipeline, query(RecordType.A, "192.0.2.1")))).isEqualTo(ip("127.0.0.11"));
        assertThat(address(resolve(pipeline, query(RecordType.AAAA, "192.0.2.1")))).isEqualTo(ip("fd00::11"));
        assertThat(backend.vm("home.r1").starts()).isEqualTo(1);
        assertThat(backend.vm("home.r2").starts() + backend.vm("home.r3").starts()).isZero();
        assertThat(resolve(pipeline, query(15 /* MX */, "192.0.2.1"))).isInstanceOf(Answer.NoData.class);
    }

    @Test
    void roundRobinGivesOutEveryRunningReplicaAndAWarmAnswerIsAScalar() throws Exception {
        pipeline(NamedReplicas.Selection.ROUND_ROBIN);
        runAll();
        Set<InetAddress> seen = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Mono<Answer> m = pipeline.resolve(query(RecordType.A, "192.0.2.1"));
            assertThat(m).isInstanceOf(Callable.class);
            seen.add(address(((Callable<Answer>) m).call()));
        }
        assertThat(seen).containsExactlyInAnyOrder(ip("127.0.0.11"), ip("127.0.0.12"), ip("127.0.0.13"));
        pipeline.core().service("home.r2").orElseThrow().stop("operator").block(Duration.ofSeconds(5));
        for (int i = 0; i < 6; i++) {
            assertThat(address(resolve(pipeline, query(RecordType.A, "192.0.2.1")))).isNotEqualTo(ip("127.0.0.12"));
        }
    }

    @Test
    void byClientEachClientKeepsItsReplica() {
        pipeline(NamedReplicas.Selection.CLIENT);
        runAll();
        Set<InetAddress> used = new HashSet<>();
        for (int c = 1; c <= 60; c++) {
            String client = "198.51.100." + c;
            InetAddress first = address(resolve(pipeline, query(RecordType.A, client)));
            assertThat(address(resolve(pipeline, query(RecordType.A, client)))).isEqualTo(first);
            used.add(first);
        }
        assertThat(used).as("60 clients spread over the 3 replicas").hasSize(3);
    }

    @Test
    void nearestGivesAClientItsSitesReplicaWhileItRunsAndAnyOtherWhenNot() {
        pipeline(NamedReplicas.Selection.NEAREST, new Sites(List.of(
                new Sites.Site(ip("198.51.100.0"), 24, List.of(2)),
                new Sites.Site(ip("198.51.0.0"), 16, List.of(3, 2)),
                new Sites.Site(ip("2001:db8::"), 32, List.of(1)))));
        runAll();
        assertThat(address(resolve(pipeline, query(RecordType.A, "198.51.100.7")))).isEqualTo(ip("127.0.0.12"));
        assertThat(address(resolve(pipeline, query(RecordType.A, "198.51.7.7")))).as("the /16 row").isEqualTo(ip("127.0.0.13"));
        Query bySubnet = new Query(DomainName.of("home.example.test"), RecordType.A,
                new InetSocketAddress(ip("192.0.2.53"), 5353), Transport.UDP, new ClientSubnet(ip("198.51.100.0"), 24));
        Answer viaResolver = resolve(pipeline, bySubnet);
        assertThat(address(viaResolver)).as("a resolver's client subnet counts, not the resolver").isEqualTo(ip("127.0.0.12"));
        assertThat(((Answer.Found) viaResolver).scope()).as("the longest row").isEqualTo(24);

        pipeline.core().service("home.r3").orElseThrow().stop("operator").block(Duration.ofSeconds(5));
        assertThat(address(resolve(pipeline, query(RecordType.A, "198.51.7.7")))).as("the row's next").isEqualTo(ip("127.0.0.12"));
        pipeline.core().service("home.r2").orElseThrow().stop("operator").block(Duration.ofSeconds(5));
        assertThat(address(resolve(pipeline, query(RecordType.A, "198.51.7.7")))).as("any running").isEqualTo(ip("127.0.0.11"));
    }
}
