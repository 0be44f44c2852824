package org.jitsu.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.jitsu.server.core.ManagedService;
import org.jitsu.server.core.TemplateInstances;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.testing.ApiServices;
import org.jitsu.server.testing.Await;
import org.jitsu.server.testing.DigOutput;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.Prometheus;
import org.jitsu.server.testing.UdpDns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;
import reactor.core.publisher.Flux;

/**
 * Templates end to end, on a real server with real processes, asked by real {@code dig}, {@code curl}
 * and a UDP client sending hundreds of queries at once, checked on {@code /api/services}, {@code /metrics}
 * and the process table. The server runs {@code config/pages.yml}'s template as the file has it except
 * for the address pool (127.77.0.0/16), the port (a free one), the page directory (the test's) and the
 * timers; beside it three templates of {@code sleep} processes ready when they run: {@code crowd}
 * (a thousand names at once), {@code flood} and {@code refusing} (one client prefix asking for random
 * names, SERVFAIL and REFUSED beyond its budget). Each test uses its own names or template, so that
 * the tests do not depend on their order.
 */
@Tag("native")
class TemplatesIT {
    private static final Path PAGES_YML = Path.of("..", "config", "pages.yml");
    private static final String PAGES_POOL = "127.77.0.0/16";
    private static final String CROWD_POOL = "127.78.0.0/16";
    private static final String FLOOD_POOL = "127.79.0.0/16";
    private static final String REFUSING_POOL = "127.80.0.0/16";
    private static final int PAGE_PORT = JitsuServerExtension.freePort("127.77.0.1");
    /** The flood templates' boots also wait for these ports to accept: the tests open them. */
    private static final String FLOOD_GATE = "127.76.0.1";
    private static final String REFUSING_GATE = "127.76.0.2";
    private static final int FLOOD_GATE_PORT = JitsuServerExtension.freePort(FLOOD_GATE);
    private static final int REFUSING_GATE_PORT = JitsuServerExtension.freePort(REFUSING_GATE);
    private static final String IDLE_TIMEOUT = "5s";
    private static final int CROWD = 1000;
    private static final int FLOOD = 500;
    private static final int PER_CLIENT = 20;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CROWD_WAIT = Duration.ofSeconds(180);

    @RegisterExtension
    static final JitsuServerExtension jitsu = JitsuServerExtension.builder()
            .config(TemplatesIT::config)
            .build();

    private static final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** config/pages.yml with the test's pool, port, directories and timers, and the other templates. */
    @SuppressWarnings("unchecked")
    private static String config(Path dir) {
        Map<String, Object> config;
        try {
            config = new Yaml().load(Files.readString(PAGES_YML, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.remove("listen");
        config.remove("state-dir");
        config.remove("admin");
        config.put("idle", Map.of("check-interval", "200ms"));
        config.put("boot", Map.of("max-concurrent", 16, "max-queued", 2000));
        ((Map<String, Object>) config.get("backends")).put("light", Map.of("type", "process", "threads", 8));

        List<Object> templates = (List<Object>) config.get("templates");
        assertThat(templates).as("the templates of %s", PAGES_YML).hasSize(1);
        Map<String, Object> pages = (Map<String, Object>) templates.get(0);
        assertThat(pages.get("id")).isEqualTo("pages");
        assertThat(pages.get("pattern")).isEqualTo("{page}.pages.example.test");
        assertThat(pages.get("pool")).isEqualTo(List.of("127.1.0.0/16"));
        pages.put("pool", List.of(PAGES_POOL));
        pages.put("ttl", 1);
        pages.put("idle-timeout", IDLE_TIMEOUT);
        List<String> command = (List<String>) ((Map<String, Object>) pages.get("process")).get("command");
        assertThat(command).as("the example's command").hasSize(4);
        assertThat(command.get(2)).contains("-p ${address}:8080 ");
        assertThat(command.get(3)).isEqualTo("run/pages/${page}");
        command.set(2, command.get(2).replace(":8080 ", ":" + PAGE_PORT + " "));
        command.set(3, dir.resolve("pages").toString() + "/${page}");
        List<Object> readiness = (List<Object>) pages.get("readiness");
        assertThat(readiness).isEqualTo(List.of(Map.of("http", "http://${address}:8080/")));
        pages.put("readiness", List.of(Map.of("http", "http://${address}:" + PAGE_PORT + "/")));

        templates.add(sleeper("crowd", "{n}.crowd.example.test", CROWD_POOL, List.of(Map.of("backend", "running")),
                "120s", budget(CROWD, 0, "servfail")));
        templates.add(sleeper("flood", "{n}.flood.example.test", FLOOD_POOL, List.of(Map.of("backend", "running"),
                Map.of("tcp", FLOOD_GATE + ":" + FLOOD_GATE_PORT)), "30s", budget(CROWD, PER_CLIENT, "servfail")));
        templates.add(sleeper("refusing", "{n}.refused.example.test", REFUSING_POOL,
                List.of(Map.of("backend", "running"), Map.of("tcp", REFUSING_GATE + ":" + REFUSING_GATE_PORT)),
                "30s", budget(CROWD, PER_CLIENT, "refused")));
        return new Yaml().dump(config);
    }

    /** A template of {@code sleep} processes (gone by themselves after 10 minutes, whatever happens). */
    private static Map<String, Object> sleeper(String id, String pattern, String pool, List<Object> readiness,
                                               String bootTimeout, Map<String, Object> budget) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("pattern", pattern);
        t.put("pool", List.of(pool));
        t.put("ttl", 60);
        t.put("backend", "light");
        t.put("process", Map.of("command", List.of("sleep", "600")));
        t.put("readiness", readiness);
        t.put("boot-timeout", bootTimeout);
        t.put("idle-timeout", "10m");
        t.put("budget", budget);
        return t;
    }

    /** Room for {@code instances} at once, no template-wide rate to speak of, this per-client budget. */
    private static Map<String, Object> budget(int instances, int perClientPerMinute, String answer) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("max-instances", instances);
        b.put("max-running", instances);
        b.put("new-per-second", 100_000);
        b.put("burst", instances);
        b.put("per-client-per-minute", perClientPerMinute);
        b.put("answer", answer);
        return b;
    }

    // ---- pages: busybox httpd per name

    @Test
    void eachPageNameBootsItsOwnHttpdOnItsOwnAddressAndIdleOnesStop() throws Exception {
        DigOutput a = DigOutput.of(jitsu.dig("a.pages.example.test", "A"));
        DigOutput b = DigOutput.of(jitsu.dig("b.pages.example.test", "A"));
        for (DigOutput d : List.of(a, b)) {
            assertThat(d.status()).as(d.output()).isEqualTo("NOERROR");
            assertThat(d.authoritative()).as(d.output()).isTrue();
            assertThat(d.addresses()).as(d.output()).hasSize(1);
            assertThat(d.ttls()).as("the template's TTL").containsExactly(1L);
            assertThat(inPool(d.addresses().get(0), PAGES_POOL)).as("%s in %s", d.addresses(), PAGES_POOL).isTrue();
        }
        String addressA = a.addresses().get(0);
        String addressB = b.addresses().get(0);
        assertThat(addressA).as("two instances, two addresses").isNotEqualTo(addressB);

        assertThat(curl(addressA)).isEqualTo("page a\n");
        assertThat(curl(addressB)).isEqualTo("page b\n");

        Map<String, ApiServices.Service> services = services();
        assertThat(services.get("pages.a")).isEqualTo(new ApiServices.Service("pages.a",
                List.of("a.pages.example.test"), List.of(addressA), "local", "RUNNING", 1, 0));
        assertThat(services.get("pages.b")).isEqualTo(new ApiServices.Service("pages.b",
                List.of("b.pages.example.test"), List.of(addressB), "local", "RUNNING", 1, 0));
        ProcessHandle httpdA = httpd(addressA).orElseThrow(() -> new AssertionError("no httpd on " + addressA));
        ProcessHandle httpdB = httpd(addressB).orElseThrow(() -> new AssertionError("no httpd on " + addressB));
        assertThat(httpdA.pid()).isNotEqualTo(httpdB.pid());

        // a known name is answered by its instance: the same address, no second boot
        assertThat(DigOutput.of(jitsu.dig("a.pages.example.test", "A")).addresses()).containsExactly(addressA);
        assertThat(services().get("pages.a").boots()).isEqualTo(1);

        Await.until("pages.a and pages.b stopped when idle", WAIT, () -> {
            Map<String, ApiServices.Service> now = services();
            return now.get("pages.a").state().equals("STOPPED") && now.get("pages.b").state().equals("STOPPED")
                    && !httpdA.isAlive() && !httpdB.isAlive();
        });
        assertThat(httpd(addressA)).isEmpty();
        assertThat(httpd(addressB)).isEmpty();

        // the instance keeps its address while it is known: the next query boots it there again
        DigOutput again = DigOutput.of(jitsu.dig("a.pages.example.test", "A"));
        assertThat(again.status()).as(again.output()).isEqualTo("NOERROR");
        assertThat(again.addresses()).as("%s%nservices: %s", again.output(), services()).containsExactly(addressA);
        assertThat(curl(addressA)).isEqualTo("page a\n");
        ApiServices.Service rebooted = services().get("pages.a");
        assertThat(rebooted.state()).isEqualTo("RUNNING");
        assertThat(rebooted.boots()).isEqualTo(2);
        assertThat(services().get("pages.b").state()).isEqualTo("STOPPED");
    }

    @Test
    void namesThePatternDoesNotAllowAreNxdomainAndBootNothing() throws Exception {
        double createdBefore = created("pages");
        Set<String> before = services().keySet();
        List<String> names = List.of(
                "x_y.pages.example.test",                                  // not a host label
                "www.pages.example.test", "admin.pages.example.test",      // reserved
                "WWW.pages.example.test",                                  // reserved, in any letter case
                "a-.pages.example.test",                                   // a host label starts with a letter or digit
                "a".repeat(33) + ".pages.example.test",                    // longer than max-length 32
                "c.d.pages.example.test");                                 // two labels where the pattern has one
        for (String name : names) {
            DigOutput d = DigOutput.of(jitsu.dig(name, "A"));
            assertThat(d.status()).as("%s:%n%s", name, d.output()).isEqualTo("NXDOMAIN");
            assertThat(d.authoritative()).as(d.output()).isTrue();
            assertThat(d.soaInAuthority()).as("the zone's SOA with the NXDOMAIN:%n%s", d.output()).isTrue();
        }
        assertThat(services().keySet()).as("no instance for any of %s", names).isEqualTo(before);
        assertThat(created("pages")).isEqualTo(createdBefore);

        // the longest label the capture allows is an instance
        String longest = "e".repeat(32);
        DigOutput d = DigOutput.of(jitsu.dig(longest + ".pages.example.test", "A"));
        assertThat(d.status()).as(d.output()).isEqualTo("NOERROR");
        assertThat(curl(d.addresses().get(0))).isEqualTo("page " + longest + "\n");
        assertThat(services()).containsKey("pages." + longest);
        assertThat(created("pages")).isEqualTo(createdBefore + 1);
    }

    @Test
    void otherQuestionsForANewNameAreNoDataAndBootNothing() throws Exception {
        double createdBefore = created("pages");
        for (String type : List.of("MX", "TXT", "SRV")) {
            DigOutput d = DigOutput.of(jitsu.dig("mail.pages.example.test", type));
            assertThat(d.status()).as("%s:%n%s", type, d.output()).isEqualTo("NOERROR");
            assertThat(d.answers()).as(d.output()).isZero();
            assertThat(d.authoritative()).as(d.output()).isTrue();
            assertThat(d.soaInAuthority()).as("the zone's SOA with the NODATA:%n%s", d.output()).isTrue();
        }
        assertThat(services()).doesNotContainKey("pages.mail");
        assertThat(created("pages")).isEqualTo(createdBefore);

        // the pattern's suffix exists (its names are below it): NODATA, not NXDOMAIN
        DigOutput suffix = DigOutput.of(jitsu.dig("pages.example.test", "A"));
        assertThat(suffix.status()).as(suffix.output()).isEqualTo("NOERROR");
        assertThat(suffix.answers()).isZero();
        assertThat(created("pages")).isEqualTo(createdBefore);
    }

    // ---- crowd: a thousand new names at once

    @Test
    void aThousandNewNamesAtOnceBootOnceEachOnAThousandAddresses() throws Exception {
        Map<Integer, String> nameById = new LinkedHashMap<>();
        for (int i = 0; i < CROWD; i++) {
            nameById.put(i + 1, String.format("n%04d.crowd.example.test", i));
        }
        Map<Integer, UdpDns.Reply> replies;
        try {
            try (UdpDns dns = UdpDns.open("127.0.0.1", jitsu.port())) {
                nameById.forEach((id, name) -> dns.send(id, name, UdpDns.A));
                Await.until("answers to all " + CROWD + " queries", CROWD_WAIT, () -> dns.drain(10) == CROWD);
                replies = dns.replies();
            }
            Set<String> addresses = new HashSet<>();
            for (UdpDns.Reply r : replies.values()) {
                assertThat(r.rcode()).as("%s", r).isEqualTo(UdpDns.NOERROR);
                assertThat(r.name()).isEqualTo(nameById.get(r.id()));
                assertThat(r.addresses()).as("%s", r).hasSize(1);
                assertThat(inPool(r.addresses().get(0), CROWD_POOL)).as("%s in %s", r, CROWD_POOL).isTrue();
                addresses.add(r.addresses().get(0));
            }
            assertThat(addresses).as("addresses of %d live instances", CROWD).hasSize(CROWD);

            Map<String, ApiServices.Service> instances = instances("crowd");
            assertThat(instances).hasSize(CROWD);
            for (UdpDns.Reply r : replies.values()) {
                String id = "crowd." + r.name().substring(0, r.name().indexOf('.'));
                assertThat(instances.get(id)).as(id).isEqualTo(new ApiServices.Service(id, List.of(r.name()),
                        r.addresses(), "light", "RUNNING", 1, 0));
            }
            String exposition = metricsText();
            Path file = Files.writeString(jitsu.dir().resolve("metrics.txt"), exposition);
            DnsTools.Result promtool = DnsTools.run(List.of("sh", "-c", "promtool check metrics < '" + file + "'"), 30);
            assertThat(promtool.exitCode()).as("promtool check metrics: %s%s", promtool.stdout(), promtool.stderr())
                    .isZero();
            Prometheus m = Prometheus.parse(exposition);
            assertThat(m.value("jitsu_boots_started_total", "service", "crowd")).isEqualTo(CROWD);
            assertThat(m.value("jitsu_boots_total", "service", "crowd", "outcome", "succeeded")).isEqualTo(CROWD);
            assertThat(m.value("jitsu_template_instances_made_total", "template", "crowd")).isEqualTo(CROWD);
            assertThat(m.samples("jitsu_template_refused_total", "template", "crowd")).isEmpty();

            List<ProcessHandle> processes = recordedProcesses("crowd.");
            assertThat(processes).as("live processes of the crowd's pidfiles").hasSize(CROWD)
                    .allMatch(ProcessHandle::isAlive);
            assertThat(processes.stream().map(ProcessHandle::pid).distinct().count()).isEqualTo(CROWD);
        } finally {
            stopInstances("crowd");
        }
        Await.until("the crowd stopped", WAIT, () -> instances("crowd").values().stream()
                .allMatch(s -> s.state().equals("STOPPED")) && recordedProcesses("crowd.").isEmpty());
    }

    // ---- flood: random names from one client prefix

    @Test
    void aFloodFromOneClientPrefixBootsItsBudgetAndTheRestIsServfailAtOnce() throws Exception {
        flood("flood", "flood.example.test", FLOOD_POOL, FLOOD_GATE, FLOOD_GATE_PORT, UdpDns.SERVFAIL);
    }

    @Test
    void withAnswerRefusedTheRestIsRefusedAtOnce() throws Exception {
        flood("refusing", "refused.example.test", REFUSING_POOL, REFUSING_GATE, REFUSING_GATE_PORT, UdpDns.REFUSED);
    }

    /**
     * {@value #FLOOD} random names under {@code suffix} from 127.0.0.1, at once. The template's boots wait
     * for a gate the test opens only later: so every answer that arrives before it opens was given
     * without a boot, and the instances admitted are exactly the names not answered yet. At most the
     * client prefix's budget is admitted (plus what the bucket refilled meanwhile, one per 3 s); the
     * rest is refused with {@code refusal}, counted as {@code client_rate}. Once the gate opens the
     * admitted names are answered, and a new name asked from another prefix (127.9.9.0/24) is booted.
     */
    private void flood(String template, String suffix, String pool, String gateAddress, int gatePort,
                       int refusal) throws Exception {
        Map<Integer, String> nameById = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        while (names.size() < FLOOD) {
            String name = "r" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + "." + suffix;
            if (names.add(name)) {
                nameById.put(names.size(), name);
            }
        }
        try (UdpDns dns = UdpDns.open("127.0.0.1", jitsu.port())) {
            long start = System.nanoTime();
            nameById.forEach((id, name) -> dns.send(id, name, UdpDns.A));
            Await.until("an answer or an instance for each name", WAIT,
                    () -> dns.drain(10) + instances(template).size() >= FLOOD);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            Map<Integer, UdpDns.Reply> refused = dns.replies();
            Map<String, ApiServices.Service> admitted = instances(template);
            assertThat(refused.values()).as("answers before any boot could finish").allSatisfy(r -> {
                assertThat(r.rcode()).as("%s", r).isEqualTo(refusal);
                assertThat(r.addresses()).isEmpty();
            });
            int refill = (int) (elapsedMillis * PER_CLIENT / 60_000);
            assertThat(admitted.size()).as("instances booted for one client prefix (%d ms)", elapsedMillis)
                    .isBetween(PER_CLIENT, PER_CLIENT + refill);
            assertThat(refused).hasSize(FLOOD - admitted.size());
            assertThat(admitted.values()).allSatisfy(s -> assertThat(s.state()).isEqualTo("BOOTING"));
            Set<String> admittedNames = new HashSet<>();
            admitted.values().forEach(s -> admittedNames.addAll(s.names()));
            assertThat(admittedNames).hasSize(admitted.size());
            for (UdpDns.Reply r : refused.values()) {
                assertThat(admittedNames).doesNotContain(r.name());
                assertThat(r.name()).isEqualTo(nameById.get(r.id()));
            }
            assertThat(names).containsAll(admittedNames);
            assertThat(metrics().value("jitsu_template_refused_total", "template", template, "reason", "client_rate"))
                    .isEqualTo(FLOOD - admitted.size());

            try (ServerSocket gate = new ServerSocket()) {
                gate.bind(new InetSocketAddress(InetAddress.getByName(gateAddress), gatePort), 1000);
                Await.until("answers to all " + FLOOD + " names", WAIT, () -> dns.drain(10) == FLOOD);
                Set<String> addresses = new HashSet<>();
                for (UdpDns.Reply r : dns.replies().values()) {
                    if (admittedNames.contains(r.name())) {
                        assertThat(r.rcode()).as("%s", r).isEqualTo(UdpDns.NOERROR);
                        assertThat(r.addresses()).hasSize(1);
                        assertThat(inPool(r.addresses().get(0), pool)).as("%s in %s", r, pool).isTrue();
                        addresses.add(r.addresses().get(0));
                    }
                }
                assertThat(addresses).hasSize(admitted.size());

                // another client prefix has its own budget
                DigOutput other = DigOutput.of(jitsu.dig("-b", "127.9.9.9", "other." + suffix, "A"));
                assertThat(other.status()).as(other.output()).isEqualTo("NOERROR");
                assertThat(other.addresses()).hasSize(1);
                assertThat(inPool(other.addresses().get(0), pool)).isTrue();
                assertThat(addresses).doesNotContain(other.addresses().get(0));
                assertThat(instances(template)).containsKey(template + ".other").hasSize(admitted.size() + 1);

                // and a name already booted needs no budget: the flooding prefix still gets it
                String known = admittedNames.iterator().next();
                DigOutput again = DigOutput.of(jitsu.dig(known, "A"));
                assertThat(again.status()).as(again.output()).isEqualTo("NOERROR");
                assertThat(metrics().value("jitsu_template_refused_total", "template", template, "reason",
                        "client_rate")).isEqualTo(FLOOD - admitted.size());
            }

        } finally {
            stopInstances(template);
        }
    }

    // ---- helpers

    private static Map<String, ApiServices.Service> services() {
        return ApiServices.get(jitsu.adminUrl());
    }

    /** The instances of {@code template} in {@code /api/services}, by id. */
    private static Map<String, ApiServices.Service> instances(String template) {
        Map<String, ApiServices.Service> out = new LinkedHashMap<>();
        services().forEach((id, s) -> {
            if (id.startsWith(template + ".")) {
                out.put(id, s);
            }
        });
        return out;
    }

    /** Instances {@code template} made so far (0 before the first one). */
    private static double created(String template) throws Exception {
        return metrics().samples("jitsu_template_instances_made_total", "template", template).stream()
                .mapToDouble(Prometheus.Sample::value).sum();
    }

    private static Prometheus metrics() throws Exception {
        return Prometheus.parse(metricsText());
    }

    private static String metricsText() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(jitsu.adminUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Stops every instance of {@code template} through the core (as an operator would), waiting (bounded). */
    private static void stopInstances(String template) {
        List<ManagedService> instances = new ArrayList<>();
        for (TemplateInstances t : jitsu.server().pipeline().core().templates()) {
            if (t.template().id().equals(template)) {
                instances.addAll(t.instances());
            }
        }
        try {
            Flux.fromIterable(instances).flatMap(i -> i.stop("test"), 64).then().block(Duration.ofSeconds(120));
        } catch (RuntimeException e) { // not to hide the test's failure; the extension stops what is left
            System.err.println("stopping the instances of " + template + " failed: " + e);
        }
    }

    /** The page the instance on {@code address} serves, fetched by curl. */
    private static String curl(String address) {
        DnsTools.Result r = DnsTools.run(List.of("curl", "-sS", "--noproxy", "*", "--max-time", "10",
                "http://" + address + ":" + PAGE_PORT + "/"), 30);
        assertThat(r.exitCode()).as("curl %s: %s", address, r.stderr()).isZero();
        return r.stdout();
    }

    /** The live busybox httpd listening on {@code address}:{@link #PAGE_PORT}, if any. */
    private static Optional<ProcessHandle> httpd(String address) {
        String listen = address + ":" + PAGE_PORT;
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains(listen)).orElse(false))
                .findFirst();
    }

    /** The live processes that the {@code light} backend's pidfiles starting with {@code prefix} name. */
    private static List<ProcessHandle> recordedProcesses(String prefix) {
        Path pids = jitsu.dir().resolve("run").resolve("light").resolve("pids");
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(pids)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".pid")).toList()) {
                String text;
                try {
                    text = Files.readString(f, StandardCharsets.US_ASCII).strip();
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // removed while we looked: its process stopped
                }
                ProcessHandle.of(Long.parseLong(text.split("\\s+")[0])).filter(ProcessHandle::isAlive)
                        .ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static boolean inPool(String address, String pool) {
        return Cidr.parse(pool).orElseThrow().contains(org.jitsu.settings.IpLiteral.parse(address).orElseThrow());
    }
}
