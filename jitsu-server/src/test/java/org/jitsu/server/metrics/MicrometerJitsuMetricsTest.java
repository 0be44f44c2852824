package org.jitsu.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.ColdStartPhase;
import org.jitsu.server.core.ServiceStatus;
import org.jitsu.server.dns.authority.Transport;
import org.jitsu.server.proxy.ConnectionBook;
import org.jitsu.server.proxy.HeldPort;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.server.proxy.ProxyMetrics;
import org.jitsu.server.proxy.ProxySettings;
import org.jitsu.server.testing.Prometheus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** The Micrometer binding: names, tags, bounded label values, gauges, and no allocation per warm query. */
@Tag("fast")
class MicrometerJitsuMetricsTest {
    private final MicrometerJitsuMetrics metrics = new MicrometerJitsuMetrics(List.of("local", "lab"));

    private Prometheus scrape() {
        return Prometheus.parse(metrics.scrape().orElseThrow());
    }

    @AfterEach
    void close() {
        metrics.close(); // the GC meters' listener on the JVM's collectors
    }

    @Test
    void answersAreCountedByTransportTypeAndRcodeWithLatency() {
        metrics.answered(Transport.UDP, 1, 0, 40_000);
        metrics.answered(Transport.UDP, 1, 0, 2_000_000);
        metrics.answered(Transport.TCP, 28, 3, 1_000);
        metrics.answered(Transport.UDP, 4711, 22, 1_000); // unknown type and rcode: "other"
        Prometheus p = scrape();
        assertThat(p.value("jitsu_dns_queries_total", "transport", "udp", "type", "A", "rcode", "NOERROR")).isEqualTo(2);
        assertThat(p.value("jitsu_dns_queries_total", "transport", "tcp", "type", "AAAA", "rcode", "NXDOMAIN"))
                .isEqualTo(1);
        assertThat(p.value("jitsu_dns_queries_total", "transport", "udp", "type", "other", "rcode", "other"))
                .isEqualTo(1);
        assertThat(p.value("jitsu_dns_query_duration_seconds_count", "transport", "udp")).isEqualTo(3);
        assertThat(p.value("jitsu_dns_query_duration_seconds_bucket", "transport", "udp", "le", "5.0E-5"))
                .isEqualTo(2);
        assertThat(p.value("jitsu_dns_query_duration_seconds_bucket", "transport", "udp", "le", "0.0025"))
                .isEqualTo(3);
    }

    @Test
    void frontEndCounters() {
        metrics.malformed(Transport.UDP);
        metrics.dropped(Transport.UDP, "qr set");
        metrics.dropped(Transport.UDP, "qr set");
        metrics.forwarded(true, 3_000_000);
        metrics.forwarded(false, 2_000_000_000L);
        metrics.tcpConnections(1);
        metrics.tcpConnections(1);
        metrics.tcpConnections(-1);
        Prometheus p = scrape();
        assertThat(p.value("jitsu_dns_malformed_total", "transport", "udp")).isEqualTo(1);
        assertThat(p.value("jitsu_dns_dropped_total", "transport", "udp", "reason", "qr set")).isEqualTo(2);
        assertThat(p.value("jitsu_dns_forwarded_total", "outcome", "ok")).isEqualTo(1);
        assertThat(p.value("jitsu_dns_forwarded_total", "outcome", "failed")).isEqualTo(1);
        assertThat(p.value("jitsu_dns_forward_duration_seconds_count", "outcome", "failed")).isEqualTo(1);
        assertThat(p.value("jitsu_dns_tcp_connections")).isEqualTo(1);
    }

    @Test
    void bootsPerServiceAndBackend() {
        metrics.serviceBackends(Map.of("www", "local", "vm", "lab"));
        metrics.bootStarted("www");
        metrics.joinedBoot("www");
        metrics.joinedBoot("www");
        metrics.bootSucceeded("www", Duration.ofMillis(30));
        metrics.coldAnswered("www", Duration.ofMillis(30), true);
        metrics.warmHit("www");
        metrics.bootJoinedElsewhere("www");
        metrics.vmAdopted("www");
        metrics.bootStarted("vm");
        metrics.bootFailed("vm", true, Duration.ofSeconds(30));
        metrics.bootRejected("vm");
        metrics.bootsInFlight(3, 5);
        metrics.stopped("www", StopMode.SUSPEND, "idle");
        metrics.reloaded(false);
        Prometheus p = scrape();
        assertThat(p.value("jitsu_boots_started_total", "service", "www", "backend", "local")).isEqualTo(1);
        assertThat(p.value("jitsu_boot_joins_total", "service", "www")).isEqualTo(2);
        assertThat(p.value("jitsu_boots_joined_elsewhere_total", "service", "www")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_adopted_total", "service", "www", "backend", "local")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_total", "service", "www", "outcome", "succeeded")).isEqualTo(1);
        assertThat(p.value("jitsu_boot_duration_seconds_sum", "service", "www", "backend", "local")).isEqualTo(0.03);
        assertThat(p.value("jitsu_query_cold_duration_seconds_count", "service", "www", "outcome", "ok")).isEqualTo(1);
        assertThat(p.value("jitsu_queries_warm_total", "service", "www")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_total", "service", "vm", "backend", "lab", "outcome", "timed-out")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_total", "service", "vm", "outcome", "failed")).isZero();
        assertThat(p.value("jitsu_boots_rejected_total", "service", "vm")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_in_flight")).isEqualTo(3);
        assertThat(p.value("jitsu_boots_queued")).isEqualTo(5);
        assertThat(p.value("jitsu_stops_total", "service", "www", "mode", "suspend", "reason", "idle")).isEqualTo(1);
        assertThat(p.value("jitsu_reloads_total", "outcome", "rejected")).isEqualTo(1);
    }

    @Test
    void coldStartPhasesAreOneHistogramPerPhaseMadeAtTheFirstColdStart() {
        metrics.serviceBackends(Map.of("www", "local"));
        metrics.warmHit("www");
        assertThat(scrape().samples("jitsu_cold_phase_duration_seconds_count")).as("only ever warm").isEmpty();

        metrics.coldStartPhase("www", ColdStartPhase.QUEUED, Duration.ofMillis(10));
        metrics.coldStartPhase("www", ColdStartPhase.VM_START, Duration.ofMillis(700));
        metrics.coldStartPhase("www", ColdStartPhase.READINESS, Duration.ofMillis(300));
        metrics.coldStartPhase("www", ColdStartPhase.ANSWER, Duration.ZERO);
        metrics.coldStartPhase("www", ColdStartPhase.VM_START, Duration.ofMillis(2000));
        Prometheus p = scrape();
        String h = "jitsu_cold_phase_duration_seconds";
        assertThat(p.samples(h + "_count")).extracting(s -> s.labels().get("phase"))
                .containsExactlyInAnyOrder("queued", "vm-start", "readiness", "answer");
        assertThat(p.value(h + "_count", "service", "www", "phase", "vm-start")).isEqualTo(2);
        assertThat(p.value(h + "_sum", "service", "www", "phase", "vm-start")).isEqualTo(2.7);
        assertThat(p.value(h + "_bucket", "service", "www", "phase", "vm-start", "le", "0.5")).isZero();
        assertThat(p.value(h + "_bucket", "service", "www", "phase", "vm-start", "le", "1.0")).isEqualTo(1);
        assertThat(p.value(h + "_bucket", "service", "www", "phase", "vm-start", "le", "2.5")).isEqualTo(2);
        assertThat(p.value(h + "_sum", "service", "www", "phase", "queued")).isEqualTo(0.01);
        assertThat(p.value(h + "_sum", "service", "www", "phase", "readiness")).isEqualTo(0.3);
        assertThat(p.value(h + "_count", "service", "www", "phase", "answer")).isEqualTo(1);
        assertThat(p.value(h + "_bucket", "service", "www", "phase", "answer", "le", "5.0E-5")).isEqualTo(1);
        assertThat(p.samples(h + "_bucket", "service", "www", "phase", "queued"))
                .as("the latency histograms' buckets, and +Inf").hasSize(MicrometerJitsuMetrics.BUCKETS.length + 1);
    }

    @Test
    void perServiceMetersAppearOnlyForServicesThatWereQueriedOrBooted() {
        int before = jitsuMeters();
        Map<String, String> backends = new java.util.HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            backends.put("s" + i, "lab");
        }
        metrics.serviceBackends(backends);
        assertThat(jitsuMeters()).as("10,000 services, none queried: no per-service meter").isEqualTo(before);
        assertThat(metrics.scrape().orElseThrow()).doesNotContain("service=\"s");

        metrics.warmHit("s7");
        metrics.bootStarted("s42");
        assertThat(metrics.registry().find(MeterNames.QUERIES_WARM).meters())
                .extracting(m -> m.getId().getTag(MeterNames.SERVICE)).containsExactlyInAnyOrder("s7", "s42");
        Prometheus p = scrape();
        assertThat(p.value("jitsu_queries_warm_total", "service", "s7")).isEqualTo(1);
        assertThat(p.value("jitsu_boots_started_total", "service", "s42", "backend", "lab")).isEqualTo(1);
        assertThat(metrics.scrape().orElseThrow()).doesNotContain("service=\"s8\"");
    }

    /** Jitsu's own meters (the JVM's GC meters appear at the first collection of each kind). */
    private int jitsuMeters() {
        return (int) metrics.registry().getMeters().stream().filter(m -> m.getId().getName().startsWith("jitsu."))
                .count();
    }

    @Test
    void theJvmsAndTheProcesssOwnMetersAreExportedNextToJitsus() {
        metrics.warmHit("www");
        Prometheus p = scrape();
        assertThat(p.value("jitsu_queries_warm_total", "service", "www")).isEqualTo(1);
        assertThat(p.samples("jvm_memory_used_bytes", "area", "heap")).as("one per heap pool").isNotEmpty()
                .extracting(Prometheus.Sample::value).anySatisfy(used -> assertThat(used).isPositive());
        assertThat(p.samples("jvm_memory_max_bytes", "area", "nonheap")).isNotEmpty();
        assertThat(p.samples("jvm_buffer_memory_used_bytes", "id", "direct")).hasSize(1);
        assertThat(p.value("jvm_threads_live_threads")).isGreaterThanOrEqualTo(1);
        assertThat(p.value("jvm_threads_states_threads", "state", "runnable")).isGreaterThanOrEqualTo(1);
        assertThat(p.value("jvm_classes_loaded_classes")).isGreaterThan(1000);
        assertThat(p.samples("jvm_gc_memory_allocated_bytes_total")).hasSize(1);
        assertThat(p.samples("jvm_gc_max_data_size_bytes")).hasSize(1);
        assertThat(p.value("process_files_open_files")).isGreaterThanOrEqualTo(3);
        assertThat(p.value("process_files_max_files")).isGreaterThanOrEqualTo(p.value("process_files_open_files"));
        assertThat(p.value("process_uptime_seconds")).isPositive();
        assertThat(p.value("process_start_time_seconds")).isPositive();
        assertThat(p.samples("process_cpu_usage")).hasSize(1);
        assertThat(p.samples("system_cpu_usage")).hasSize(1);
        assertThat(p.samples("system_load_average_1m")).hasSize(1);
        // promtool check metrics (OperationsIT, TemplatesIT) rejects these two names: left out
        assertThat(p.samples("process_cpu_time_ns_total")).isEmpty();
        assertThat(p.samples("system_cpu_count")).isEmpty();
    }

    @Test
    void runningServicesPerBackendAreReadAtScrapeTime() {
        metrics.serviceBackends(Map.of("a", "local", "b", "local", "c", "lab"));
        Instant t = Instant.EPOCH;
        List<ServiceStatus> states = List.of(
                new ServiceStatus("a", ServiceStatus.State.RUNNING, t, Optional.empty(), 1, 0, Optional.empty()),
                new ServiceStatus("b", ServiceStatus.State.RUNNING, t, Optional.empty(), 1, 0, Optional.empty()),
                new ServiceStatus("c", ServiceStatus.State.STOPPED, t, Optional.empty(), 0, 0, Optional.empty()));
        metrics.bindServices(() -> states);
        Prometheus p = scrape();
        assertThat(p.value("jitsu_services_running", "backend", "local")).isEqualTo(2);
        assertThat(p.value("jitsu_services_running", "backend", "lab")).isZero();
    }

    @Test
    void theGrafanaDashboardUsesOnlyMetricsThatExist() throws Exception {
        metrics.serviceBackends(Map.of("www", "local"));
        metrics.bootStarted("www"); // creates the per-service meters
        metrics.answered(Transport.UDP, 1, 0, 1);
        metrics.dropped(Transport.UDP, "x");
        metrics.stopped("www", StopMode.DESTROY, "idle");
        java.util.Set<String> exposed = new java.util.HashSet<>();
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("(?m)^(jitsu_[a-z_]+)")
                .matcher(metrics.scrape().orElseThrow());
        while (names.find()) {
            exposed.add(names.group(1));
        }
        java.nio.file.Path dashboard = java.nio.file.Path.of("..", "config", "grafana", "jitsu-dashboard.json");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("jitsu_[a-z_]+")
                .matcher(java.nio.file.Files.readString(dashboard));
        int count = 0;
        while (used.find()) {
            assertThat(exposed).as("metric %s of the dashboard", used.group()).contains(used.group());
            count++;
        }
        assertThat(count).isGreaterThan(15);
    }

    @Test
    void theFrontsMetersReadTheBookAndCountItsEvents() throws Exception {
        HoldSettings hold = new HoldSettings(List.of(java.net.InetAddress.getByName("127.0.0.3")),
                List.of(new HeldPort(80, 80, true)), 4, 1024, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(5), 8, Duration.ofMillis(100));
        ConnectionBook book = new ConnectionBook(Map.of("www", hold), ProxySettings.DEFAULT, Schedulers.immediate());
        ProxyMetrics proxy = metrics.proxy(book);
        proxy.held("www", 3_000_000_000L, 1_000_000, 500_000);
        proxy.reset("www", ProxyMetrics.BOOT_FAILED);
        proxy.reset("www", ProxyMetrics.BOOT_FAILED);
        proxy.reset("www", ProxyMetrics.LIMIT);
        Prometheus p = scrape();
        assertThat(p.value("jitsu_proxy_connections_held", "service", "www")).isZero();
        assertThat(p.value("jitsu_proxy_connections_open", "service", "www")).isZero();
        assertThat(p.value("jitsu_proxy_connections_accepted_total", "service", "www")).isZero();
        assertThat(p.value("jitsu_proxy_spliced_bytes_total", "service", "www", "direction", "to-service")).isZero();
        assertThat(p.value("jitsu_proxy_hold_duration_seconds_count", "service", "www")).isEqualTo(1);
        assertThat(p.value("jitsu_proxy_hold_duration_seconds_sum", "service", "www")).isEqualTo(3.0015);
        assertThat(p.value("jitsu_proxy_cold_phase_duration_seconds_sum", "service", "www", "phase", "wait-ready"))
                .isEqualTo(3.0);
        assertThat(p.value("jitsu_proxy_resets_total", "service", "www", "reason", "boot-failed")).isEqualTo(2);
        assertThat(p.value("jitsu_proxy_resets_total", "service", "www", "reason", "limit")).isEqualTo(1);
    }

    @Test
    void disabledMetricsScrapeNothing() {
        JitsuMetrics off = JitsuMetrics.disabled();
        off.answered(Transport.UDP, 1, 0, 1);
        off.warmHit("x");
        assertThat(off.scrape()).isEmpty();
    }

    @Test
    void warmQueryReportsAllocateNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        metrics.serviceBackends(Map.of("www", "local"));
        int n = 200_000;
        report(n); // creates the meters, warms up
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        report(n);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // what a warm answer reports: the pipeline's warm hit and the front end's answer with its latency
        assertThat(allocated).as("bytes allocated for %d warm queries", n).isLessThan(n);
    }

    private void report(int n) {
        for (int i = 0; i < n; i++) {
            metrics.warmHit("www");
            metrics.answered(Transport.UDP, (i & 1) == 0 ? 1 : 28, 0, 20_000 + (i & 1023));
        }
    }
}
