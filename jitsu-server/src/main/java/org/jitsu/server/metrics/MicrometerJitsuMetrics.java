package org.jitsu.server.metrics;

import static org.jitsu.server.metrics.MeterNames.BACKEND;
import static org.jitsu.server.metrics.MeterNames.OUTCOME;
import static org.jitsu.server.metrics.MeterNames.SERVICE;
import static org.jitsu.server.metrics.MeterNames.TRANSPORT;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.Admission;
import org.jitsu.server.core.ColdStartPhase;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.ProxyMetrics;

/**
 * {@link JitsuMetrics} on a {@link PrometheusMeterRegistry}. Per-query meters are looked up in arrays
 * indexed by transport, type and rcode (created on first use), per-service meters in a map filled once
 * per service: the warm path does an array read or a hash lookup and Micrometer's own increment.
 *
 * <p>The JVM's and the process's own meters ({@link JvmMeters}) are in the same registry.
 */
final class MicrometerJitsuMetrics implements JitsuMetrics {
    /** Bucket bounds of every latency histogram, from 50 µs (a warm answer) to 30 s (a slow boot). */
    static final Duration[] BUCKETS = {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private static final Transport[] TRANSPORTS = Transport.values();
    private static final int PHASES = ColdStartPhase.values().length;
    private static final int TYPES = DnsLabels.TYPE_NAMES.length;
    private static final int RCODES = DnsLabels.RCODE_NAMES.length;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The JVM's and the process's meters, bound first (their filter must precede every meter). */
    private final JvmMeters jvm = new JvmMeters(registry);
    private final AtomicReferenceArray<Counter> queries = new AtomicReferenceArray<>(TRANSPORTS.length * TYPES * RCODES);
    private final Timer[] queryDuration = new Timer[TRANSPORTS.length];
    private final Counter[] malformed = new Counter[TRANSPORTS.length];
    /** Per transport, by reason (a fixed set of strings in the front end's code). */
    private final List<Map<String, Counter>> dropped = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    private final Counter forwardedOk;
    private final Counter forwardedFailed;
    private final Timer forwardOk;
    private final Timer forwardFailed;
    private final AtomicInteger tcpConnections = new AtomicInteger();
    private final AtomicInteger bootsRunning = new AtomicInteger();
    private final AtomicInteger bootsQueued = new AtomicInteger();
    private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();
    private volatile Map<String, String> backendByService = Map.of();
    private volatile Supplier<List<ServiceStatus>> statuses = List::of;

    MicrometerJitsuMetrics(Collection<String> backends) {
        for (Transport t : TRANSPORTS) {
            queryDuration[t.ordinal()] = timer(MeterNames.DNS_QUERY_DURATION, "query to answer, as the front end sees it",
                    TRANSPORT, label(t));
            malformed[t.ordinal()] = Counter.builder(MeterNames.DNS_MALFORMED).description("packets that could not be parsed")
                    .tag(TRANSPORT, label(t)).register(registry);
        }
        forwardedOk = counter(MeterNames.DNS_FORWARDED, "queries relayed upstream", OUTCOME, "ok");
        forwardedFailed = counter(MeterNames.DNS_FORWARDED, "queries relayed upstream", OUTCOME, "failed");
        forwardOk = timer(MeterNames.DNS_FORWARD_DURATION, "upstream latency", OUTCOME, "ok");
        forwardFailed = timer(MeterNames.DNS_FORWARD_DURATION, "upstream latency", OUTCOME, "failed");
        Gauge.builder(MeterNames.DNS_TCP_CONNECTIONS, tcpConnections, AtomicInteger::get)
                .description("TCP connections open").register(registry);
        Gauge.builder(MeterNames.BOOTS_RUNNING, bootsRunning, AtomicInteger::get)
                .description("boots holding a slot").register(registry);
        Gauge.builder(MeterNames.BOOTS_QUEUED, bootsQueued, AtomicInteger::get)
                .description("boots waiting for a slot").register(registry);
        for (String backend : backends) {
            Gauge.builder(MeterNames.SERVICES_RUNNING, this, m -> m.running(backend))
                    .description("services running").tag(BACKEND, backend).register(registry);
        }
        counter(MeterNames.RELOADS, "config reloads", OUTCOME, "ok");
        counter(MeterNames.RELOADS, "config reloads", OUTCOME, "rejected");
    }

    /** A counter with its help text (promtool wants one on every metric). */
    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Timer timer(String name, String description, String tagKey, String tagValue) {
        return timer(name, description, List.of(io.micrometer.core.instrument.Tag.of(tagKey, tagValue)));
    }

    private Timer timer(String name, String description, Iterable<io.micrometer.core.instrument.Tag> tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    private static String label(Transport t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    /** The {@code phase} tag: {@code queued}, {@code vm-start}, {@code readiness}, {@code answer}. */
    private static String label(ColdStartPhase phase) {
        return switch (phase) {
            case QUEUED -> "queued";
            case VM_START -> "vm-start";
            case READINESS -> "readiness";
            case ANSWER -> "answer";
        };
    }

    @Override
    public ProxyMetrics proxy(ConnectionBook book) {
        return new MicrometerProxyMetrics(registry, book);
    }

    /** The registry, for tests. */
    MeterRegistry registry() {
        return registry;
    }

    // ---- front end

    @Override
    public void answered(Transport transport, int qtype, int rcode, long latencyNanos) {
        int t = transport.ordinal();
        int type = DnsLabels.typeIndex(qtype);
        int rc = DnsLabels.rcodeIndex(rcode);
        int slot = (t * TYPES + type) * RCODES + rc;
        Counter c = queries.get(slot);
        if (c == null) {
            c = Counter.builder(MeterNames.DNS_QUERIES).description("answered queries")
                    .tag(TRANSPORT, label(transport))
                    .tag(MeterNames.TYPE, DnsLabels.TYPE_NAMES[type])
                    .tag(MeterNames.RCODE, DnsLabels.RCODE_NAMES[rc])
                    .register(registry); // the registry returns the same counter to a racing thread
            queries.set(slot, c);
        }
        c.increment();
        queryDuration[t].record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void malformed(Transport transport) {
        malformed[transport.ordinal()].increment();
    }

    @Override
    public void dropped(Transport transport, String reason) {
        Map<String, Counter> byReason = dropped.get(transport.ordinal());
        Counter c = byReason.get(reason);
        if (c == null) {
            c = byReason.computeIfAbsent(reason, r -> counter(MeterNames.DNS_DROPPED, "packets dropped without a reply",
                    TRANSPORT, label(transport), MeterNames.REASON, r));
        }
        c.increment();
    }

    @Override
    public void forwarded(boolean ok, long latencyNanos) {
        (ok ? forwardedOk : forwardedFailed).increment();
        (ok ? forwardOk : forwardFailed).record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void tcpConnections(int delta) {
        tcpConnections.addAndGet(delta);
    }

    // ---- pipeline

    @Override
    public void warmHit(String serviceId) {
        service(serviceId).warm.increment();
    }

    @Override
    public void joinedBoot(String serviceId) {
        service(serviceId).joins.increment();
    }

    @Override
    public void bootStarted(String serviceId) {
        service(serviceId).started.increment();
    }

    @Override
    public void bootJoinedElsewhere(String serviceId) {
        service(serviceId).joinedElsewhere.increment();
    }

    @Override
    public void vmAdopted(String serviceId) {
        service(serviceId).adopted.increment();
    }

    @Override
    public void bootSucceeded(String serviceId, Duration duration) {
        ServiceMeters m = service(serviceId);
        m.succeeded.increment();
        m.bootDuration.record(duration);
    }

    @Override
    public void bootFailed(String serviceId, boolean timedOut, Duration duration) {
        ServiceMeters m = service(serviceId);
        (timedOut ? m.timedOut : m.failed).increment();
    }

    @Override
    public void bootRejected(String serviceId) {
        service(serviceId).rejected.increment();
    }

    @Override
    public void bootsInFlight(int running, int queued) {
        bootsRunning.set(running);
        bootsQueued.set(queued);
    }

    @Override
    public void stopped(String serviceId, StopMode mode, String reason) {
        counter(MeterNames.STOPS, "services stopped", SERVICE, serviceId, MeterNames.MODE, mode.configName(),
                MeterNames.REASON, reason).increment();
    }

    @Override
    public void rateLimited(String action) {
        counter(MeterNames.DNS_RATE_LIMITED, "UDP answers over the rate limit", MeterNames.ACTION, action).increment();
    }

    @Override
    public void instanceRefused(String templateId, Admission.Reason reason) {
        counter(MeterNames.INSTANCES_REFUSED, "names a template's budget refused", MeterNames.TEMPLATE, templateId,
                MeterNames.REASON, reason.name().toLowerCase(Locale.ROOT)).increment();
    }

    @Override
    public void instanceCreated(String templateId) {
        counter(MeterNames.INSTANCES_CREATED, "instances a template made", MeterNames.TEMPLATE, templateId).increment();
    }

    @Override
    public void instanceForgotten(String templateId) {
        counter(MeterNames.INSTANCES_FORGOTTEN, "instances a template forgot", MeterNames.TEMPLATE, templateId)
                .increment();
    }

    @Override
    public void coldAnswered(String serviceId, Duration waited, boolean ok) {
        ServiceMeters m = service(serviceId);
        (ok ? m.coldOk : m.coldFailed).record(waited);
    }

    @Override
    public void coldStartPhase(String serviceId, ColdStartPhase phase, Duration took) {
        service(serviceId).phase(phase).record(took);
    }

    // ---- assembly

    @Override
    public void serviceBackends(Map<String, String> backendByService) {
        this.backendByService = Map.copyOf(backendByService);
    }

    @Override
    public void bindServices(Supplier<List<ServiceStatus>> services) {
        this.statuses = java.util.Objects.requireNonNull(services, "services");
    }

    @Override
    public void reloaded(boolean ok) {
        counter(MeterNames.RELOADS, "config reloads", OUTCOME, ok ? "ok" : "rejected").increment();
    }

    @Override
    public Optional<String> scrape() {
        return Optional.of(registry.scrape());
    }

    @Override
    public void close() {
        jvm.close();
        registry.close();
    }

    private double running(String backend) {
        Map<String, String> backends = backendByService;
        int n = 0;
        for (ServiceStatus s : statuses.get()) {
            String id = s.id();
            String owner = backends.containsKey(id) || id.indexOf('.') < 0 ? id : id.substring(0, id.indexOf('.'));
            if (s.state() == ServiceStatus.State.RUNNING && backend.equals(backends.get(owner))) {
                n++;
            }
        }
        return n;
    }

    private ServiceMeters service(String id) {
        String backend = backendByService.getOrDefault(id, "unknown");
        ServiceMeters m = services.get(id);
        if (m == null || !m.backend.equals(backend)) {
            m = services.compute(id, (k, old) -> old != null && old.backend.equals(backend) ? old
                    : new ServiceMeters(k, backend));
        }
        return m;
    }

    /** The meters of one service, created once. */
    private final class ServiceMeters {
        final String id;
        final String backend;
        final Counter warm;
        final Counter joins;
        final Counter started;
        final Counter joinedElsewhere;
        final Counter adopted;
        final Counter succeeded;
        final Counter failed;
        final Counter timedOut;
        final Counter rejected;
        final Timer bootDuration;
        final Timer coldOk;
        final Timer coldFailed;
        /** By {@link ColdStartPhase} ordinal, made at its first report: a service only ever warm has none. */
        final AtomicReferenceArray<Timer> phases = new AtomicReferenceArray<>(PHASES);

        ServiceMeters(String id, String backend) {
            this.id = id;
            this.backend = backend;
            warm = counter(MeterNames.QUERIES_WARM, "queries for a running service, answered at once", SERVICE, id);
            joins = counter(MeterNames.BOOT_JOINS, "queries that joined a boot in flight", SERVICE, id);
            started = counter(MeterNames.BOOTS_STARTED, "VM starts made by this instance", SERVICE, id, BACKEND,
                    backend);
            joinedElsewhere = counter(MeterNames.BOOTS_JOINED_ELSEWHERE,
                    "boots that lost the claim to another instance and joined its boot", SERVICE, id);
            adopted = counter(MeterNames.BOOTS_ADOPTED, "VMs left running by a dead instance, adopted instead of booted",
                    SERVICE, id, BACKEND, backend);
            String finished = "boots finished, by outcome";
            succeeded = counter(MeterNames.BOOTS, finished, SERVICE, id, BACKEND, backend, OUTCOME, "succeeded");
            failed = counter(MeterNames.BOOTS, finished, SERVICE, id, BACKEND, backend, OUTCOME, "failed");
            timedOut = counter(MeterNames.BOOTS, finished, SERVICE, id, BACKEND, backend, OUTCOME, "timed-out");
            rejected = counter(MeterNames.BOOTS_REJECTED, "boots refused: boot queue full", SERVICE, id);
            bootDuration = timer(MeterNames.BOOT_DURATION, "queue wait, start and readiness of successful boots",
                    io.micrometer.core.instrument.Tags.of(SERVICE, id, BACKEND, backend));
            coldOk = timer(MeterNames.QUERY_COLD_DURATION, "wait of queries for a boot",
                    io.micrometer.core.instrument.Tags.of(SERVICE, id, OUTCOME, "ok"));
            coldFailed = timer(MeterNames.QUERY_COLD_DURATION, "wait of queries for a boot",
                    io.micrometer.core.instrument.Tags.of(SERVICE, id, OUTCOME, "failed"));
        }

        Timer phase(ColdStartPhase phase) {
            int i = phase.ordinal();
            Timer t = phases.get(i);
            if (t == null) {
                t = timer(MeterNames.COLD_PHASE, "phases of cold starts: queued, vm-start, readiness, answer",
                        io.micrometer.core.instrument.Tags.of(SERVICE, id, MeterNames.PHASE, label(phase)));
                phases.set(i, t); // the registry returns the same timer to a racing thread
            }
            return t;
        }
    }
}
