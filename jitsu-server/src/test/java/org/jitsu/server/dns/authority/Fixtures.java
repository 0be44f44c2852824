package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.Vm;
import org.jitsu.server.core.CoreMetrics;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.settings.IpLiteral;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.test.StepVerifier;
import reactor.test.subscriber.TestSubscriber;

/** Zones, services and queries shared by the pipeline tests. */
final class Fixtures {
    static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(5);
    static final DomainName APEX = DomainName.of("example.test");
    static final ResourceRecord.Soa SOA = new ResourceRecord.Soa(APEX, 3600, DomainName.of("ns1.example.test"),
            DomainName.of("hostmaster.example.test"), 1, 7200, 900, 1_209_600, 300);
    static final InetSocketAddress CLIENT = new InetSocketAddress(ip("127.0.0.1"), 5353);

    private Fixtures() {
    }

    static InetAddress ip(String literal) {
        return IpLiteral.parse(literal).orElseThrow(() -> new IllegalArgumentException(literal));
    }

    static ZoneDefinition zone() {
        return new ZoneDefinition(APEX, SOA,
                List.of(DomainName.of("ns1.example.test"), DomainName.of("ns2.elsewhere.test")), 600,
                Map.of(DomainName.of("ns1.example.test"), List.of(ip("127.0.0.53"), ip("::53")),
                        DomainName.of("static.example.test"), List.of(ip("127.0.0.20"))));
    }

    static Query query(String name, int type) {
        return new Query(DomainName.of(name), type, CLIENT, Transport.UDP);
    }

    /** Resolves and returns the single answer, verifying the Mono completes with exactly one value. */
    static Answer resolve(QueryPipeline pipeline, Query query) {
        AtomicReference<Answer> answer = new AtomicReference<>();
        StepVerifier.create(pipeline.resolve(query))
                .consumeNextWith(answer::set)
                .expectComplete()
                .verify(VERIFY_TIMEOUT);
        return answer.get();
    }

    /** A builder with the test zone, {@code services}, {@code timer} and {@code metrics}; the test adds the rest. */
    static OnDemandPipeline.Builder pipeline(Scheduler timer, CoreMetrics metrics, List<NamedService> services) {
        return OnDemandPipeline.builder()
                .zones(List.of(zone()))
                .services(services)
                .timer(timer)
                .metrics(metrics);
    }

    /** Builds the pipeline and starts it (the start finishes within {@link #VERIFY_TIMEOUT}). */
    static OnDemandPipeline started(OnDemandPipeline.Builder builder) {
        OnDemandPipeline pipeline = builder.build();
        pipeline.start().block(VERIFY_TIMEOUT);
        return pipeline;
    }

    /** Subscribes a {@link TestSubscriber} to {@code answer}, for a test that looks at it later. */
    static TestSubscriber<Answer> subscribe(Mono<Answer> answer) {
        TestSubscriber<Answer> subscriber = TestSubscriber.create();
        answer.subscribe(subscriber);
        return subscriber;
    }

    static Answer.Found assertFound(Answer answer) {
        assertThat(answer).isInstanceOf(Answer.Found.class);
        return (Answer.Found) answer;
    }

    /** A test-side builder of {@link NamedService}s with short, readable defaults. */
    static final class Service {
        private final String id;
        private final Vm vm;
        private List<DomainName> names;
        private List<InetAddress> addresses = List.of(ip("127.0.0.10"));
        private List<ReadinessCheck> readiness = List.of();
        private Duration bootTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private StopMode stopMode = StopMode.DESTROY;
        private List<InetAddress> front = List.of();

        Service(String id, Vm vm) {
            this.id = id;
            this.vm = vm;
            this.names = List.of(DomainName.of(id + ".example.test"));
        }

        Service names(String... names) {
            List<DomainName> out = new ArrayList<>();
            for (String n : names) {
                out.add(DomainName.of(n));
            }
            this.names = out;
            return this;
        }

        Service addresses(String... literals) {
            this.addresses = Arrays.stream(literals).map(Fixtures::ip).toList();
            return this;
        }

        Service readiness(ReadinessCheck... checks) {
            this.readiness = List.of(checks);
            return this;
        }

        Service bootTimeout(Duration d) {
            this.bootTimeout = d;
            return this;
        }

        Service idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        Service stopMode(StopMode mode) {
            this.stopMode = mode;
            return this;
        }

        /** {@code answer: at-once} with these front addresses. */
        Service front(String... literals) {
            this.front = Arrays.stream(literals).map(Fixtures::ip).toList();
            return this;
        }

        NamedService build() {
            return new NamedService(new ServiceDefinition(id, addresses, vm, readiness, bootTimeout, idleTimeout,
                    stopMode, Duration.ofSeconds(5)), names, 30, front);
        }
    }
}
