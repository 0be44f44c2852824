package org.jitsu.bench.jmh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jitsu.backend.StopMode;
import org.jitsu.backend.testkit.ScriptedBackend;
import org.jitsu.server.core.AddressPool;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.core.InstanceBudget;
import org.jitsu.server.core.InstanceFactory;
import org.jitsu.server.core.ServiceDefinition;
import org.jitsu.server.core.ServiceTemplate;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.NamePattern;
import org.jitsu.server.dns.authority.NamedService;
import org.jitsu.server.dns.authority.NamedTemplate;
import org.jitsu.server.dns.authority.OnDemandPipeline;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.ZoneDefinition;
import reactor.core.scheduler.Schedulers;

/**
 * The benchmarks' zone {@code bench.test} with services {@code s0 … s(N-1)}, names
 * {@code sK.bench.test}, one IPv4 address each (127.1.x.y), no readiness checks, on a
 * {@link ScriptedBackend} (the test kit's; its VMs start at once, on the caller's thread).
 */
public final class Fixtures {
    public static final DomainName ZONE = DomainName.of("bench.test");
    public static final InetSocketAddress CLIENT = new InetSocketAddress(loopback(), 40000);

    private Fixtures() {
    }

    public static DomainName name(int i) {
        return DomainName.of("s" + i + ".bench.test");
    }

    /** A started pipeline over {@code services} services. */
    public static OnDemandPipeline pipeline(ScriptedBackend backend, int services, BootLimits limits) {
        return pipeline(backend, services, limits, List.of());
    }

    /**
     * The template {@code pages}: {@code {page}.pages.bench.test}, addresses from 127.2.0.0/16, VMs on
     * {@code backend}, no readiness checks, the given budget and no per-client limit.
     */
    public static NamedTemplate pages(ScriptedBackend backend, int maxInstances, int maxRunning) {
        InstanceFactory factory = (id, values) -> new InstanceFactory.Parts(backend.vm(id), List.of());
        ServiceTemplate t = new ServiceTemplate("pages", List.of("page"),
                AddressPool.ranges(List.of(pagesNetwork()), List.of(16)), factory, Duration.ofSeconds(30),
                Duration.ofHours(1), StopMode.DESTROY, Duration.ZERO, Duration.ofHours(1),
                new InstanceBudget(maxInstances, maxRunning, 1e9, 1_000_000_000, 0, 24, 56), "bench");
        return new NamedTemplate(t, NamePattern.parse("{page}.pages.bench.test", List.of()), 60, false);
    }

    /** A started pipeline over {@code services} services and {@code templates}. */
    public static OnDemandPipeline pipeline(ScriptedBackend backend, int services, BootLimits limits,
                                            List<NamedTemplate> templates) {
        ResourceRecord.Soa soa = new ResourceRecord.Soa(ZONE, 3600, DomainName.of("ns1.bench.test"),
                DomainName.of("hostmaster.bench.test"), 1, 3600, 600, 1209600, 60);
        ZoneDefinition zone = new ZoneDefinition(ZONE, soa, List.of(DomainName.of("ns1.bench.test")), 3600,
                Map.of(DomainName.of("ns1.bench.test"), List.of(loopback())));
        List<NamedService> defs = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            defs.add(new NamedService(new ServiceDefinition("s" + i, List.of(address(i)), backend.vm("s" + i),
                    List.of(), Duration.ofSeconds(30), Duration.ofHours(1), StopMode.DESTROY, Duration.ZERO),
                    List.of(name(i)), 60));
        }
        OnDemandPipeline p = OnDemandPipeline.builder()
                .zones(List.of(zone))
                .services(defs)
                .templates(templates)
                .bootLimits(limits)
                .idleCheckInterval(Duration.ofHours(1))
                .timer(Schedulers.parallel())
                .build();
        p.start().block(Duration.ofSeconds(60));
        return p;
    }

    /** 127.1.x.y for service i. */
    public static InetAddress address(int i) {
        byte[] b = {127, 1, (byte) (i >> 8), (byte) i};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress pagesNetwork() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 2, 0, 0});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
