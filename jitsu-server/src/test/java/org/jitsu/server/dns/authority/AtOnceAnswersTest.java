package org.jitsu.server.dns.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jitsu.server.dns.authority.Fixtures.assertFound;
import static org.jitsu.server.dns.authority.Fixtures.ip;
import static org.jitsu.server.dns.authority.Fixtures.query;
import static org.jitsu.server.dns.authority.Fixtures.resolve;
import static org.jitsu.server.dns.authority.Fixtures.started;

import java.util.List;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.backend.testkit.ScriptedVm;
import org.jitsu.server.core.ServiceStatus.State;
import org.jitsu.server.dns.authority.Fixtures.Service;
import org.jitsu.server.testing.CountingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * {@code answer: at-once}: a query for a stopped service is answered at once with the front addresses
 * and starts the boot; once the service runs it gets the service's own addresses, like any service.
 */
@Tag("fast")
class AtOnceAnswersTest {
    private final VirtualTimeScheduler timer = VirtualTimeScheduler.create();
    private final ScriptedBackend backend = ScriptedBackend.named("fake");
    private final CountingMetrics metrics = new CountingMetrics();
    private OnDemandPipeline pipeline;

    @AfterEach
    void tearDown() {
        if (pipeline != null) {
            pipeline.close();
        }
        timer.dispose();
    }

    private static List<java.net.InetAddress> addresses(Answer answer) {
        return assertFound(answer).answers().stream().map(r -> r instanceof ResourceRecord.A a ? a.address()
                : ((ResourceRecord.Aaaa) r).address()).toList();
    }

    @Test
    void aStoppedServiceIsAnsweredAtOnceWithTheFrontAndBootsMeanwhile() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> boot = Sinks.empty();
        vm.startWith(boot.asMono());
        pipeline = started(Fixtures.pipeline(timer, metrics, List.of(new Service("web", vm)
                .addresses("127.0.0.10", "::10").front("127.0.0.3", "::3").build())));

        Mono<Answer> cold = pipeline.resolve(query("web.example.test", RecordType.A));
        assertThat(addresses(cold.block(Fixtures.VERIFY_TIMEOUT))).as("answered before the boot ends")
                .containsExactly(ip("127.0.0.3"));
        assertThat(addresses(resolve(pipeline, query("web.example.test", RecordType.AAAA))))
                .containsExactly(ip("::3"));
        assertThat(vm.starts()).as("one boot, started by the first query").isEqualTo(1);
        assertThat(pipeline.core().status("web").orElseThrow().state()).isEqualTo(State.BOOTING);

        boot.tryEmitEmpty();
        assertThat(addresses(resolve(pipeline, query("web.example.test", RecordType.A))))
                .as("running: the service's own address").containsExactly(ip("127.0.0.10"));
        assertThat(addresses(resolve(pipeline, query("web.example.test", RecordType.AAAA))))
                .containsExactly(ip("::10"));
    }

    @Test
    void aServiceAnsweredWhenReadyStillWaitsForItsBoot() {
        ScriptedVm vm = backend.vm("web");
        Sinks.Empty<Void> boot = Sinks.empty();
        vm.startWith(boot.asMono());
        pipeline = started(Fixtures.pipeline(timer, metrics, List.of(new Service("web", vm).build())));
        var subscriber = Fixtures.subscribe(pipeline.resolve(query("web.example.test", RecordType.A)));
        assertThat(subscriber.isTerminated()).as("no answer during the boot").isFalse();
        boot.tryEmitEmpty();
        assertThat(subscriber.isTerminatedComplete()).isTrue();
        assertThat(addresses(subscriber.getReceivedOnNext().get(0))).containsExactly(ip("127.0.0.10"));
    }
}
