package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jitsu.server.dns.authority.DomainName;
import org.jitsu.settings.ConfigException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code templates:} and {@code replicas:}: what is read, and every bad value named by its key. */
@Tag("fast")
class TemplateConfigTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    private static String config(String... templateLines) {
        return String.join("\n",
                "zones:",
                "  - name: example.test",
                "    nameservers: [ns1.example.test]",
                "backends:",
                "  local: {type: process}",
                "services:",
                "  - {id: www, names: [www.example.test], addresses: [127.0.0.2], backend: local}",
                "templates:",
                "  - " + String.join("\n    ", templateLines),
                "");
    }

    private static final String[] PAGES = {
        "id: pages",
        "pattern: \"{page}.pages.example.test\"",
        "pool: [127.1.0.0/16, \"fd00:1::/64\"]",
        "backend: local",
        "process: {command: [busybox, httpd, -f, -p, \"${address}:8080\", -h, \"run/${page}\"]}",
        "readiness: [{http: \"http://${address}:8080/\"}]"};

    private static String pages(String... more) {
        String[] all = new String[PAGES.length + more.length];
        System.arraycopy(PAGES, 0, all, 0, PAGES.length);
        System.arraycopy(more, 0, all, PAGES.length, more.length);
        return config(all);
    }

    private static ConfigException fails(String yaml, String key) {
        Throwable t = catchThrowable(() -> JitsuConfig.parse(yaml, "test.yml", CLOCK));
        assertThat(t).isInstanceOf(ConfigException.class);
        ConfigException e = (ConfigException) t;
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).startsWith(key + ": ").contains("(expected: ");
        return e;
    }

    @Test
    void aTemplateIsReadWithItsDefaults() {
        JitsuConfig c = JitsuConfig.parse(pages(), "test.yml", CLOCK);
        TemplateConfig t = c.templates().get(0);
        assertThat(t.id()).isEqualTo("pages");
        assertThat(t.pattern().match(DomainName.of("a.pages.example.test"))).contains(List.of("a"));
        assertThat(t.addresses().sample()).hasSize(2);
        assertThat(t.ttl()).isEqualTo(60);
        assertThat(t.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(t.forgetAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(t.budget().maxRunning()).isEqualTo(100);
        assertThat(t.refuseWithRefused()).isFalse();
        assertThat(t.spec().strings("command")).contains("${address}:8080");
        assertThat(c.services()).hasSize(1);
    }

    @Test
    void budgetsAndCapturesAreRead() {
        JitsuConfig c = JitsuConfig.parse(pages("captures: {page: {regex: \"p[0-9]+\", max-length: 8, reserved: [P0]}}",
                "budget: {max-instances: 50, max-running: 5, new-per-second: 3, burst: 4, per-client-per-minute: 7,"
                        + " client-prefix-v4: 16, answer: refused}"), "test.yml", CLOCK);
        TemplateConfig t = c.templates().get(0);
        assertThat(t.pattern().match(DomainName.of("p12.pages.example.test"))).isPresent();
        assertThat(t.pattern().match(DomainName.of("p0.pages.example.test"))).as("reserved, case folded").isEmpty();
        assertThat(t.budget().maxInstances()).isEqualTo(50);
        assertThat(t.budget().maxRunning()).isEqualTo(5);
        assertThat(t.budget().newPerSecond()).isEqualTo(3);
        assertThat(t.budget().burst()).isEqualTo(4);
        assertThat(t.budget().perClientPerMinute()).isEqualTo(7);
        assertThat(t.budget().v4Prefix()).isEqualTo(16);
        assertThat(t.refuseWithRefused()).isTrue();
    }

    @Test
    void badValuesAreNamedByTheirKey() {
        fails(config("id: pages", "pattern: \"pages.example.test\"", "pool: [127.1.0.0/16]", "backend: local"),
                "templates[0].pattern");
        fails(config("id: pages", "pattern: \"{page}.pages.elsewhere.test\"", "pool: [127.1.0.0/16]", "backend: local"),
                "templates[0].pattern");
        fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "backend: local"), "templates[0].pool");
        fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "pool: [127.1.0.1/16]", "backend: local"),
                "templates[0].pool[0]");
        fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "pool: [127.1.0.0]", "backend: local"),
                "templates[0].pool[0]");
        fails(config("id: www", "pattern: \"{page}.pages.example.test\"", "pool: [127.1.0.0/16]", "backend: local"),
                "templates[0].id");
        fails(pages("captures: {site: {max-length: 5}}"), "templates[0].captures");
        fails(pages("captures: {page: {regex: \"[a-\"}}"), "templates[0].captures.page.regex");
        fails(pages("budget: {max-running: 0}"), "templates[0].budget.max-running");
        fails(pages("budget: {answer: drop}"), "templates[0].budget.answer");
        fails(pages("colour: blue"), "templates[0].colour");
    }

    @Test
    void aTemplateMayHaveReplicasFromItsPool() {
        JitsuConfig c = JitsuConfig.parse(pages("replicas: {min: 2, max: 3, answer: client}"), "test.yml", CLOCK);
        TemplateConfig t = c.templates().get(0);
        assertThat(t.replicas()).hasValueSatisfying(r -> {
            assertThat(r.policy().min()).isEqualTo(2);
            assertThat(r.policy().max()).isEqualTo(3);
            assertThat(r.selection()).isEqualTo(org.jitsu.server.dns.authority.NamedReplicas.Selection.CLIENT);
        });
        fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "addresses: [127.0.0.9]", "backend: local",
                "replicas: {max: 2}"), "templates[0].addresses");
        fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "pool: [127.1.0.0/16]", "backend: local",
                "process: {command: [\"run-${replica}\"]}"), "templates[0].process.command[0]"); // no replicas: no ${replica}
    }

    @Test
    void anUnknownPlaceholderIsNamed() {
        ConfigException e = fails(config("id: pages", "pattern: \"{page}.pages.example.test\"", "pool: [127.1.0.0/16]",
                "backend: local", "process: {command: [busybox, httpd, -h, \"run/${site}\"]}"),
                "templates[0].process.command[3]");
        assertThat(e.getMessage()).contains("${page}").contains("${address}").contains("${instance}");
    }

    @Test
    void aReplicatedServiceHasOneAddressPerReplica() {
        String head = String.join("\n",
                "zones: [{name: example.test, nameservers: [ns1.example.test]}]",
                "backends: {local: {type: process}}",
                "services:",
                "  - id: home",
                "    names: [home.example.test]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"${address}:8080\"]}",
                "");
        JitsuConfig c = JitsuConfig.parse(head + "    addresses: [127.0.0.11, 127.0.0.12]\n"
                + "    replicas: {max: 2, target-qps: 50, answer: client}\n", "test.yml", CLOCK);
        ServiceConfig home = c.services().get(0);
        assertThat(home.replicas()).hasValueSatisfying(p -> {
            assertThat(p.min()).isEqualTo(1);
            assertThat(p.max()).isEqualTo(2);
            assertThat(p.targetPerReplica()).isEqualTo(50);
        });
        assertThat(home.selection()).isEqualTo(org.jitsu.server.dns.authority.NamedReplicas.Selection.CLIENT);
        ConfigException e = fails(head + "    addresses: [127.0.0.11, 127.0.0.12, \"fd00::1\"]\n"
                + "    replicas: {max: 2}\n", "services[0].addresses");
        assertThat(e.getMessage()).contains("one address per replica of each family");
        fails(head + "    addresses: [127.0.0.11]\n    replicas: {max: 1, answer: closest}\n",
                "services[0].replicas.answer");
        fails(head + "    addresses: [127.0.0.11]\n    replicas: {max: 1, answer: nearest}\n",
                "services[0].replicas.sites");
        fails(head + "    addresses: [127.0.0.11]\n    replicas: {max: 1, answer: nearest, sites: {\"10.0.0.0/8\": [2]}}\n",
                "services[0].replicas.sites.10.0.0.0/8[0]");
        JitsuConfig near = JitsuConfig.parse(head + "    addresses: [127.0.0.11, 127.0.0.12]\n"
                + "    replicas: {max: 2, answer: nearest, sites: {\"198.51.100.0/24\": [2, 1]}}\n", "test.yml", CLOCK);
        assertThat(near.services().get(0).sites().rows()).singleElement()
                .satisfies(row -> assertThat(row.replicas()).containsExactly(2, 1));
    }
}
