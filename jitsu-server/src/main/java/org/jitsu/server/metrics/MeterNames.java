package org.jitsu.server.metrics;

/**
 * Every meter name and tag of Jitsu, in one place: dotted, lower case, base units (seconds). The
 * Prometheus registry renders {@code jitsu.dns.queries} as {@code jitsu_dns_queries_total} and a timer
 * {@code jitsu.boot.duration} as {@code jitsu_boot_duration_seconds_bucket/_count/_sum}. No tag carries
 * a client address: every tag has a small, bounded set of values (the services and backends of the
 * config, the transports, record types and response codes Jitsu names).
 */
public final class MeterNames {
    /** Counter: answered queries; tags {@link #TRANSPORT}, {@link #TYPE}, {@link #RCODE}. */
    public static final String DNS_QUERIES = "jitsu.dns.queries";
    /** Timer (histogram): packet read to reply encoded, every answered query; tag {@link #TRANSPORT}. */
    public static final String DNS_QUERY_DURATION = "jitsu.dns.query.duration";
    /** Counter: packets that could not be parsed; tag {@link #TRANSPORT}. */
    public static final String DNS_MALFORMED = "jitsu.dns.malformed";
    /** Counter: packets dropped without a reply; tags {@link #TRANSPORT}, {@link #REASON}. */
    public static final String DNS_DROPPED = "jitsu.dns.dropped";
    /** Counter: queries relayed upstream; tag {@link #OUTCOME} ({@code ok}, {@code failed}). */
    public static final String DNS_FORWARDED = "jitsu.dns.forwarded";
    /** Timer (histogram): upstream latency of forwarded queries; tag {@link #OUTCOME}. */
    public static final String DNS_FORWARD_DURATION = "jitsu.dns.forward.duration";
    /** Gauge: TCP connections open. */
    public static final String DNS_TCP_CONNECTIONS = "jitsu.dns.tcp.connections";

    /** Counter: queries for a running service, answered at once; tag {@link #SERVICE}. */
    public static final String QUERIES_WARM = "jitsu.queries.warm";
    /** Timer (histogram): how long queries that waited for a boot waited; tags {@link #SERVICE}, {@link #OUTCOME}. */
    public static final String QUERY_COLD_DURATION = "jitsu.query.cold.duration";
    /** Counter: queries that joined a boot already in flight; tag {@link #SERVICE}. */
    public static final String BOOT_JOINS = "jitsu.boot.joins";
    /**
     * Counter: VM starts this instance made (a boot that lost its claim to another instance, or adopted a
     * VM, is not one); tags {@link #SERVICE}, {@link #BACKEND}.
     */
    public static final String BOOTS_STARTED = "jitsu.boots.started";
    /**
     * Counter: boots of this instance that lost the claim to another instance and joined its boot (or
     * found the service running there); tag {@link #SERVICE}.
     */
    public static final String BOOTS_JOINED_ELSEWHERE = "jitsu.boots.joined.elsewhere";
    /**
     * Counter: VMs that an instance which died left running, adopted by this one instead of a boot; tags
     * {@link #SERVICE}, {@link #BACKEND}.
     */
    public static final String BOOTS_ADOPTED = "jitsu.boots.adopted";
    /** Counter: boots finished; tags {@link #SERVICE}, {@link #BACKEND}, {@link #OUTCOME} (succeeded, failed, timed-out). */
    public static final String BOOTS = "jitsu.boots";
    /** Counter: boots refused because the boot queue was full; tag {@link #SERVICE}. */
    public static final String BOOTS_REJECTED = "jitsu.boots.rejected";
    /**
     * Timer (histogram): successful boots, from the request that created the boot to ready (queue wait,
     * start, readiness); tags {@link #SERVICE}, {@link #BACKEND}.
     */
    public static final String BOOT_DURATION = "jitsu.boot.duration";
    /**
     * Timer (histogram): the phases of the cold starts whose VM this instance started, each recorded once
     * per boot after its waiters were answered; tags {@link #SERVICE}, {@link #PHASE} ({@code queued},
     * {@code vm-start}, {@code readiness}, {@code answer}). A failed boot records the phases it completed.
     */
    public static final String COLD_PHASE = "jitsu.cold.phase.duration";
    /** Gauge: boots holding a slot. */
    public static final String BOOTS_RUNNING = "jitsu.boots.in.flight";
    /** Gauge: boots waiting for a slot. */
    public static final String BOOTS_QUEUED = "jitsu.boots.queued";
    /** Gauge: services the pipeline sees running; tag {@link #BACKEND}. */
    public static final String SERVICES_RUNNING = "jitsu.services.running";
    /** Counter: services stopped; tags {@link #SERVICE}, {@link #MODE}, {@link #REASON}. */
    public static final String STOPS = "jitsu.stops";
    /** Counter: config reloads; tag {@link #OUTCOME} ({@code ok}, {@code rejected}). */
    public static final String RELOADS = "jitsu.reloads";

    /** Names a template refused (budget, pool, backend), by template and reason. */
    public static final String INSTANCES_REFUSED = "jitsu.template.refused";
    /**
     * Instances a template made: {@code jitsu_template_instances_made_total}. Not "created": the
     * Prometheus client drops a counter's {@code _created} suffix (OpenMetrics reserves it for the
     * creation time), so that name would be exported as {@code jitsu_template_instances_total}.
     */
    public static final String INSTANCES_CREATED = "jitsu.template.instances.made";
    /** Instances a template forgot. */
    public static final String INSTANCES_FORGOTTEN = "jitsu.template.instances.forgotten";

    /** UDP answers over the rate limit, by action (dropped, slipped, dry-run). */
    public static final String DNS_RATE_LIMITED = "jitsu.dns.rate.limited";
    public static final String ACTION = "action";

    public static final String TRANSPORT = "transport";
    public static final String TEMPLATE = "template";
    public static final String TYPE = "type";
    public static final String RCODE = "rcode";
    public static final String REASON = "reason";
    public static final String OUTCOME = "outcome";
    public static final String SERVICE = "service";
    public static final String BACKEND = "backend";
    public static final String MODE = "mode";
    public static final String PHASE = "phase";

    private MeterNames() {
    }

    /** Gauge: connections the front holds for a boot now, per service. */
    public static final String PROXY_HELD = "jitsu.proxy.connections.held";
    /** Gauge: connections open through the front now (held or spliced), per service. */
    public static final String PROXY_OPEN = "jitsu.proxy.connections.open";
    /** Counter: connections the front accepted, per service. */
    public static final String PROXY_ACCEPTED = "jitsu.proxy.connections.accepted";
    /** Counter: bytes spliced, per service and direction (to-service, to-client). */
    public static final String PROXY_BYTES = "jitsu.proxy.spliced.bytes";
    /** Timer: a held connection's accept to its first byte from the service. */
    public static final String PROXY_HOLD = "jitsu.proxy.hold.duration";
    /** Timer: the phases of a held connection's cold start (wait-ready, connect, first-byte). */
    public static final String PROXY_PHASE = "jitsu.proxy.cold.phase.duration";
    /** Counter: connections reset (or answered 503) by the front, per service and reason. */
    public static final String PROXY_RESETS = "jitsu.proxy.resets";
}
