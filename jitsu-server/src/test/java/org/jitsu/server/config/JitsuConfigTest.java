package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jitsu.backend.StopMode;
import org.jitsu.server.core.BootLimits;
import org.jitsu.server.dns.Cidr;
import org.jitsu.server.dns.ForwardSettings;
import org.jitsu.server.dns.ListenSettings;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.server.dns.authority.ResourceRecord;
import org.jitsu.server.dns.authority.ZoneDefinition;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("fast")
class JitsuConfigTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** The smallest valid config: one zone, one backend, one service; everything else defaulted. */
    static final String MINIMAL = String.join("\n",
            "zones:",
            "  - name: example.test",
            "    nameservers: [ns1.example.test]",
            "backends:",
            "  local:",
            "    type: process",
            "services:",
            "  - id: www",
            "    names: [www.example.test]",
            "    addresses: [127.0.0.2]",
            "    backend: local",
            "");

    private static JitsuConfig parse(String yaml) {
        return JitsuConfig.parse(yaml, "test.yml", CLOCK);
    }

    private static InetAddress ip(String s) {
        return IpLiteral.parse(s).orElseThrow();
    }

    /** Asserts that parsing fails with exactly this key and a message starting with it. */
    private static ConfigException fails(String yaml, String key) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> parse(yaml));
        assertThat(t).isInstanceOf(ConfigException.class);
        ConfigException e = (ConfigException) t;
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).startsWith(key + ": ").contains("(expected: ");
        return e;
    }

    private static String withService(String serviceLines) {
        return String.join("\n",
                "zones:",
                "  - name: example.test",
                "    nameservers: [ns1.example.test]",
                "    hosts: {ns1.example.test: [127.0.0.1]}",
                "  - name: other.test",
                "    nameservers: [ns1.example.test]",
                "backends:",
                "  local: {type: process}",
                "  virt: {type: libvirt}",
                "services:",
                serviceLines,
                "");
    }

    // ---- examples and defaults

    @Test
    void quickStartConfigParses() throws Exception {
        JitsuConfig c = JitsuConfig.load(Path.of("..", "config", "jitsu.yml"));
        assertThat(c.listen().addresses()).containsExactly(ip("127.0.0.1"), ip("::1"));
        assertThat(c.listen().port()).isEqualTo(5353);
        assertThat(c.zones()).extracting(z -> z.apex().text()).containsExactly("example.test");
        assertThat(c.zones().get(0).hosts()).containsEntry(DomainName.of("ns1.example.test"), List.of(ip("127.0.0.1")));
        assertThat(c.forward()).isEmpty();
        assertThat(c.backends()).containsExactly(new BackendConfig("local", "process", c.backends().get(0).settings()));
        ServiceConfig www = c.services().get(0);
        assertThat(www.id()).isEqualTo("www");
        assertThat(www.names()).containsExactly(DomainName.of("www.example.test"));
        assertThat(www.addresses()).containsExactly(ip("127.0.0.2"));
        assertThat(www.ttl()).isEqualTo(60);
        assertThat(www.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(www.bootTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(www.spec().path()).isEqualTo("services[0].process");
        assertThat(www.spec().strings("command"))
                .containsExactly("busybox", "httpd", "-f", "-p", "127.0.0.2:8080", "-h", "config/www");
        assertThat(www.readiness()).hasSize(1);
        assertThat(www.readiness().get(0).path()).isEqualTo("services[0].readiness[0]");
        assertThat(www.readiness().get(0).string("http")).isEqualTo("http://127.0.0.2:8080/");
        assertThat(c.source()).endsWith("jitsu.yml");
    }

    @Test
    void everyDefault() {
        JitsuConfig c = parse(MINIMAL);
        ListenSettings l = c.listen();
        assertThat(l).isEqualTo(new ListenSettings(List.of(ip("127.0.0.1"), ip("::1")), 5353, 0, 4 * 1024 * 1024,
                1232, Duration.ofSeconds(10), 1024, 32));
        assertThat(c.defaultTtl()).isEqualTo(60);
        assertThat(c.forward()).isEmpty();
        assertThat(c.bootLimits()).isEqualTo(new BootLimits(8, 1024, 10_000)).isEqualTo(BootLimits.DEFAULT);
        assertThat(c.defaultBootTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.idleCheckInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.stateDir()).isEqualTo(Path.of("run"));

        ZoneDefinition z = c.zones().get(0);
        DomainName apex = DomainName.of("example.test");
        DomainName ns1 = DomainName.of("ns1.example.test");
        assertThat(z.apex()).isEqualTo(apex);
        assertThat(z.ttl()).isEqualTo(3600);
        assertThat(z.nameservers()).containsExactly(ns1);
        assertThat(z.hosts()).isEmpty();
        assertThat(z.soa()).isEqualTo(new ResourceRecord.Soa(apex, 3600, ns1, DomainName.of("hostmaster.example.test"),
                NOW.getEpochSecond(), 3600, 600, 1_209_600, 60));

        BackendConfig b = c.backends().get(0);
        assertThat(b.name()).isEqualTo("local");
        assertThat(b.type()).isEqualTo("process");
        assertThat(b.settings().keys()).isEmpty();
        assertThat(b.settings().path()).isEqualTo("backends.local");

        ServiceConfig s = c.services().get(0);
        assertThat(s.path()).isEqualTo("services[0]");
        assertThat(s.ttl()).isEqualTo(60);
        assertThat(s.backend()).isEqualTo("local");
        assertThat(s.spec().keys()).isEmpty();
        assertThat(s.spec().path()).isEqualTo("services[0].process");
        assertThat(s.readiness()).hasSize(1);
        assertThat(s.readiness().get(0).path()).isEqualTo("services[0].readiness[0]");
        assertThat(s.readiness().get(0).keys()).containsExactly("backend");
        assertThat(s.readiness().get(0).string("backend")).isEqualTo("running");
        assertThat(s.bootTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.stopMode()).isEqualTo(StopMode.DESTROY);
        assertThat(s.stopGrace()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void serviceDefaultsFollowTheGlobalSettings() {
        JitsuConfig c = parse("dns: {ttl: 15}\nboot: {timeout: 7s}\n" + MINIMAL);
        ServiceConfig s = c.services().get(0);
        assertThat(s.ttl()).isEqualTo(15);
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.bootTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void everyExplicitValue() {
        String yaml = String.join("\n",
                "listen:",
                "  addresses: [127.0.0.9]",
                "  port: 0",
                "  event-loops: 2",
                "  udp-receive-buffer: 64KiB",
                "  udp-receive-batch: 1",
                "  max-udp-payload: 4096",
                "  tcp: {idle-timeout: 500ms, max-connections: 7}",
                "dns: {ttl: 30}",
                "zones:",
                "  - name: Example.TEST.",
                "    ttl: 100",
                "    soa: {mname: a.example.test, rname: admin@example.test, serial: 4294967295,",
                "          refresh: 1, retry: 2, expire: 3, minimum: 4}",
                "    nameservers: [a.example.test, b.example.net]",
                "    hosts:",
                "      a.example.test: [127.0.0.1, \"::1\"]",
                "forward:",
                "  upstreams: [127.0.0.1:5300, \"[::1]:53\", 127.0.0.2]",
                "  timeout: 1s",
                "  allow: [10.0.0.0/8]",
                "boot: {max-concurrent: 2, max-queued: 0, max-waiters: 5, timeout: 1m}",
                "idle: {check-interval: 200ms}",
                "state-dir: /tmp/jitsu-state",
                "backends:",
                "  local: {type: process, log-dir: x}",
                "services:",
                "  - id: web-1",
                "    names: [www.example.test, WWW2.example.test]",
                "    addresses: [127.0.0.2, \"::2\"]",
                "    ttl: 0",
                "    backend: local",
                "    process: {command: [\"true\"]}",
                "    readiness: [{tcp: \"127.0.0.2:80\"}, {delay: 10ms}]",
                "    boot-timeout: 3s",
                "    idle-timeout: 1s",
                "    stop: {mode: shutdown, grace: 2s}",
                "");
        JitsuConfig c = parse(yaml);
        assertThat(c.listen()).isEqualTo(new ListenSettings(List.of(ip("127.0.0.9")), 0, 2, 64 * 1024, 4096,
                Duration.ofMillis(500), 7, 1));
        assertThat(c.defaultTtl()).isEqualTo(30);
        DomainName apex = DomainName.of("example.test");
        ZoneDefinition z = c.zones().get(0);
        assertThat(z).isEqualTo(new ZoneDefinition(apex,
                new ResourceRecord.Soa(apex, 100, DomainName.of("a.example.test"), DomainName.of("admin.example.test"),
                        4294967295L, 1, 2, 3, 4),
                List.of(DomainName.of("a.example.test"), DomainName.of("b.example.net")), 100,
                Map.of(DomainName.of("a.example.test"), List.of(ip("127.0.0.1"), ip("::1")))));
        assertThat(c.forward()).contains(new ForwardSettings(
                List.of(new InetSocketAddress(ip("127.0.0.1"), 5300), new InetSocketAddress(ip("::1"), 53),
                        new InetSocketAddress(ip("127.0.0.2"), 53)),
                Duration.ofSeconds(1), List.of(Cidr.parse("10.0.0.0/8").orElseThrow())));
        assertThat(c.bootLimits()).isEqualTo(new BootLimits(2, 0, 5));
        assertThat(c.defaultBootTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.idleCheckInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.stateDir()).isEqualTo(Path.of("/tmp/jitsu-state"));
        assertThat(c.backends().get(0).settings().keys()).containsExactly("log-dir");
        ServiceConfig s = c.services().get(0);
        assertThat(s.id()).isEqualTo("web-1");
        assertThat(s.names()).containsExactly(DomainName.of("www.example.test"), DomainName.of("www2.example.test"));
        assertThat(s.addresses()).containsExactly(ip("127.0.0.2"), ip("::2"));
        assertThat(s.ttl()).isZero();
        assertThat(s.spec().strings("command")).containsExactly("true");
        assertThat(s.readiness()).extracting(r -> r.path())
                .containsExactly("services[0].readiness[0]", "services[0].readiness[1]");
        assertThat(s.bootTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.idleTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.stopMode()).isEqualTo(StopMode.SHUTDOWN);
        assertThat(s.stopGrace()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void noServicesIsAValidConfig() {
        JitsuConfig c = parse("zones: [{name: example.test, nameservers: [ns1.example.test]}]\n");
        assertThat(c.services()).isEmpty();
        assertThat(c.backends()).isEmpty();
    }

    @Test
    void yamlAnchorsAndMergeKeysWork() {
        JitsuConfig c = parse(String.join("\n",
                "zones: [{name: example.test, nameservers: [ns1.example.test]}]",
                "backends: {local: {type: process}}",
                "services:",
                "  - &base {id: a, names: [a.example.test], addresses: [127.0.0.2], backend: local, ttl: 5}",
                "  - <<: *base",
                "    id: b",
                "    names: [b.example.test]",
                ""));
        assertThat(c.services()).extracting(ServiceConfig::id).containsExactly("a", "b");
        assertThat(c.services().get(1).ttl()).isEqualTo(5);
    }

    // ---- errors: document level

    @Test
    void emptyFile() {
        assertThat(fails("", "(document)")).hasMessageContaining("empty");
        fails("# only a comment\n", "(document)");
    }

    @Test
    void rootNotAMapping() {
        assertThat(fails("- a\n- b\n", "(document)")).hasMessageContaining("a list").hasMessageContaining("a mapping");
        fails("just text\n", "(document)");
    }

    @Test
    void duplicateYamlKeyAtRootAndNested() {
        ConfigException e = fails("dns: {ttl: 1}\ndns: {ttl: 2}\n" + MINIMAL, "dns");
        assertThat(e).hasMessageContaining("duplicate key on line 2").hasMessageContaining("first on line 1");
        fails(MINIMAL.replace("    backend: local", "    backend: local\n    ttl: 1\n    ttl: 2"), "services[0].ttl");
    }

    @Test
    void customTagsAreRejected() {
        fails("dns: !!java.lang.Object {}\n" + MINIMAL, "dns");
        fails(MINIMAL + "state-dir: !path run\n", "state-dir");
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        ConfigException e = fails("zones: [\n", "line 2, column 1");
        assertThat(e).hasMessageContaining("valid YAML");
    }

    @Test
    void aliasBombIsRejected() {
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'h'; c++) {
            y.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                y.append(i == 0 ? "" : ", ").append('*').append(prev);
            }
            y.append("]\n");
            prev = c;
        }
        assertThatThrownBy(() -> parse(y.toString())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("(expected: valid YAML)");
    }

    // ---- errors: unknown keys

    @Test
    void unknownKeyAtRoot() {
        ConfigException e = fails(MINIMAL + "listne: {}\n", "listne");
        assertThat(e).hasMessageContaining("unknown key").hasMessageContaining("listen");
    }

    @Test
    void unknownKeyNested() {
        fails("listen: {tcp: {idle: 1s}}\n" + MINIMAL, "listen.tcp.idle");
        fails(MINIMAL.replace("    nameservers:", "    soa: {serail: 1}\n    nameservers:"), "zones[0].soa.serail");
        fails(MINIMAL + "    stop: {mode: destroy, grce: 1s}\n", "services[0].stop.grce");
        fails(MINIMAL + "    idle: 1s\n", "services[0].idle");
    }

    @Test
    void sectionForAnotherBackendTypeIsRejected() {
        ConfigException e = fails(withService(
                "  - {id: a, names: [a.example.test], addresses: [127.0.0.2], backend: local, libvirt: {domain: x}}"),
                "services[0].libvirt");
        assertThat(e).hasMessageContaining("process");
        parse(withService(
                "  - {id: a, names: [a.example.test], addresses: [127.0.0.2], backend: virt, libvirt: {domain: x}}"));
    }

    // ---- errors: values

    @Test
    void badDuration() {
        assertThat(fails("boot: {timeout: 30}\n" + MINIMAL, "boot.timeout")).hasMessageContaining("30")
                .hasMessageContaining("unit");
        fails("idle: {check-interval: 5 s}\n" + MINIMAL, "idle.check-interval");
        fails("idle: {check-interval: 0s}\n" + MINIMAL, "idle.check-interval");
        fails(MINIMAL + "    boot-timeout: soon\n", "services[0].boot-timeout");
    }

    @Test
    void integersOutOfRange() {
        assertThat(fails("boot: {max-concurrent: 0}\n" + MINIMAL, "boot.max-concurrent"))
                .hasMessage("boot.max-concurrent: 0 (expected: an integer from 1 to 4096)");
        fails("listen: {max-udp-payload: 511}\n" + MINIMAL, "listen.max-udp-payload");
        assertThat(fails("listen: {udp-receive-batch: 0}\n" + MINIMAL, "listen.udp-receive-batch"))
                .hasMessage("listen.udp-receive-batch: 0 (expected: an integer from 1 to 1024)");
        fails("listen: {port: 65536}\n" + MINIMAL, "listen.port");
        fails("dns: {ttl: -1}\n" + MINIMAL, "dns.ttl");
        fails("dns: {ttl: 1.5}\n" + MINIMAL, "dns.ttl");
        fails(MINIMAL.replace("    nameservers:", "    soa: {serial: 4294967296}\n    nameservers:"),
                "zones[0].soa.serial");
    }

    @Test
    void badStopMode() {
        assertThat(fails(MINIMAL + "    stop: {mode: pause}\n", "services[0].stop.mode"))
                .hasMessageContaining("destroy, shutdown, suspend");
    }

    @Test
    void ttlZeroNeedsAnExplicitIdleTimeout() {
        fails(MINIMAL + "    ttl: 0\n", "services[0].idle-timeout");
        assertThat(parse(MINIMAL + "    ttl: 0\n    idle-timeout: 3s\n").services().get(0).idleTimeout())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void wildcardListenAddressesAreRefused() {
        assertThat(fails("listen: {addresses: [127.0.0.1, 0.0.0.0]}\n" + MINIMAL, "listen.addresses[1]"))
                .hasMessageStartingWith("listen.addresses[1]: 0.0.0.0 (expected: a specific address");
        fails("listen: {addresses: [\"::\"]}\n" + MINIMAL, "listen.addresses[0]");
    }

    @Test
    void missingRequired() {
        assertThat(fails("backends: {local: {type: process}}\n", "zones")).hasMessageContaining("missing");
        fails("zones: []\n", "zones");
        fails("zones: [{name: example.test}]\n", "zones[0].nameservers");
        fails("zones: [{nameservers: [ns1.example.test]}]\n", "zones[0].name");
        fails(MINIMAL.replace("    type: process\n", "    foo: bar\n"), "backends.local.type");
        fails(MINIMAL.replace("  - id: www\n", "  - \n"), "services[0].id");
        fails(MINIMAL.replace("    names: [www.example.test]\n", ""), "services[0].names");
        fails(MINIMAL.replace("    names: [www.example.test]\n", "    names: []\n"), "services[0].names");
        fails(MINIMAL.replace("    addresses: [127.0.0.2]\n", ""), "services[0].addresses");
        fails(MINIMAL.replace("    backend: local\n", ""), "services[0].backend");
        fails(MINIMAL.replace("backends:\n  local:\n    type: process\n", ""), "backends");
        fails("forward: {timeout: 1s}\n" + MINIMAL, "forward.upstreams");
    }

    @Test
    void badAddressOrHostNameInsteadOfLiteral() {
        ConfigException e = fails(MINIMAL.replace("[127.0.0.2]", "[www.example.test]"), "services[0].addresses[0]");
        assertThat(e).hasMessageContaining("www.example.test").hasMessageContaining("not looked up");
        fails(MINIMAL.replace("[127.0.0.2]", "[127.0.0.2, 300.1.1.1]"), "services[0].addresses[1]");
        fails("listen: {addresses: [localhost]}\n" + MINIMAL, "listen.addresses[0]");
        fails("listen: {addresses: []}\n" + MINIMAL, "listen.addresses");
        fails("listen: {addresses: [127.0.0.1, 127.0.0.1]}\n" + MINIMAL, "listen.addresses[1]");
        fails("forward: {upstreams: [dns.example.net:53]}\n" + MINIMAL, "forward.upstreams[0]");
        fails("forward: {upstreams: [\"127.0.0.1:99999\"]}\n" + MINIMAL, "forward.upstreams[0]");
        fails(MINIMAL.replace("    nameservers: [ns1.example.test]\n",
                "    nameservers: [ns1.example.test]\n    hosts: {ns1.example.test: [ns1]}\n"),
                "zones[0].hosts.ns1.example.test[0]");
    }

    @Test
    void badDomainNames() {
        fails("zones: [{name: \"a..b\", nameservers: [ns1.a.b]}]\n", "zones[0].name");
        fails(MINIMAL.replace("[www.example.test]", "[\"" + "x".repeat(64) + ".example.test\"]"),
                "services[0].names[0]");
        fails(MINIMAL.replace("    nameservers: [ns1.example.test]\n",
                "    nameservers: [ns1.example.test]\n    soa: {rname: a.b@example.test}\n"), "zones[0].soa.rname");
    }

    @Test
    void serviceNameOutsideZones() {
        ConfigException e = fails(withService(
                "  - {id: a, names: [a.example.test, a.example.net], addresses: [127.0.0.2], backend: local}"),
                "services[0].names[1]");
        assertThat(e).hasMessageContaining("a.example.net").hasMessageContaining("example.test, other.test");
    }

    @Test
    void hostOutsideItsZone() {
        fails(MINIMAL.replace("    nameservers: [ns1.example.test]\n",
                "    nameservers: [ns1.example.test]\n    hosts: {ns1.example.net: [127.0.0.1]}\n"),
                "zones[0].hosts.ns1.example.net");
    }

    @Test
    void serviceNameThatIsAStaticHost() {
        fails(withService("  - {id: a, names: [ns1.example.test], addresses: [127.0.0.2], backend: local}"),
                "services[0].names[0]");
    }

    @Test
    void duplicateNameAcrossServices() {
        ConfigException e = fails(withService(String.join("\n",
                "  - {id: a, names: [a.example.test], addresses: [127.0.0.2], backend: local}",
                "  - {id: b, names: [b.other.test, A.Example.Test.], addresses: [127.0.0.3], backend: local}")),
                "services[1].names[1]");
        assertThat(e).hasMessageContaining("services[0] has it");
        fails(withService("  - {id: a, names: [a.example.test, a.example.test], addresses: [127.0.0.2], backend: local}"),
                "services[0].names[1]");
    }

    @Test
    void duplicateServiceId() {
        ConfigException e = fails(withService(String.join("\n",
                "  - {id: a, names: [a.example.test], addresses: [127.0.0.2], backend: local}",
                "  - {id: a, names: [b.example.test], addresses: [127.0.0.3], backend: local}")),
                "services[1].id");
        assertThat(e).hasMessageContaining("services[0] has it");
    }

    @Test
    void badServiceIdAndBackendName() {
        fails(withService("  - {id: Web_1, names: [a.example.test], addresses: [127.0.0.2], backend: local}"),
                "services[0].id");
        fails(MINIMAL.replace("  local:\n", "  Local Box:\n"), "backends.Local Box");
    }

    @Test
    void duplicateZone() {
        fails("zones: [{name: a.test, nameservers: [ns.a.test]}, {name: A.test., nameservers: [ns.a.test]}]\n",
                "zones[1].name");
    }

    @Test
    void unknownBackendReference() {
        ConfigException e = fails(MINIMAL.replace("    backend: local", "    backend: remote"), "services[0].backend");
        assertThat(e).hasMessage("services[0].backend: remote (expected: one of the backends: local)");
    }

    @Test
    void badCidr() {
        ConfigException e = fails("forward: {upstreams: [127.0.0.1:53], allow: [127.0.0.0/8, 10.0.0.0/33]}\n" + MINIMAL,
                "forward.allow[1]");
        assertThat(e).hasMessageContaining("10.0.0.0/33");
        fails("forward: {upstreams: [127.0.0.1:53], allow: [somewhere]}\n" + MINIMAL, "forward.allow[0]");
    }

    @Test
    void badReadinessItems() {
        fails(MINIMAL + "    readiness: [http]\n", "services[0].readiness[0]");
        fails(MINIMAL + "    readiness: [{http: \"http://127.0.0.2/\", tcp: \"127.0.0.2:80\"}]\n",
                "services[0].readiness[0]");
    }

    @Test
    void wrongShapes() {
        fails("listen: [127.0.0.1]\n" + MINIMAL, "listen");
        fails("zones: {name: example.test}\n", "zones");
        fails(MINIMAL.replace("  local:\n    type: process\n", "  local: process\n"), "backends.local");
        fails(MINIMAL.replace("  - id: www", "  - id: [www]"), "services[0].id");
    }

    @Test
    void configExceptionsAreTheOnlyFailure() {
        assertThatThrownBy(() -> parse("{")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> parse("a: b: c")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> parse("1: x\n")).isInstanceOf(ConfigException.class);
    }
}
