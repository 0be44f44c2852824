package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.jitsu.settings.ConfigException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Configs with many services (one per name, as "a VM for every URL" will have), read through the
 * event-stream reader: they parse and validate, an error among them names the index of its service,
 * and YAML's anchors, aliases and merge keys keep SnakeYAML's meaning.
 */
@Tag("fast")
class LargeConfigTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private static final int SERVICES = 10_000;

    /** {@code n} services on the process backend, one name and one address each; {@code bad} replaces line {@code at}. */
    private static String config(int n, int at, String bad) {
        StringBuilder y = new StringBuilder(String.join("\n",
                "zones: [{name: pages.test, nameservers: [ns1.pages.test], hosts: {ns1.pages.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:", ""));
        for (int i = 0; i < n; i++) {
            String line = "  - {id: p" + i + ", names: [p" + i + ".pages.test], addresses: [127.2." + (i >> 8) + "."
                    + (i & 0xff) + "], backend: local, idle-timeout: 1h, process: {command: [busybox, httpd]}}\n";
            y.append(i == at ? bad + "\n" : line);
        }
        return y.toString();
    }

    private static ConfigException fails(String yaml) {
        Throwable t = catchThrowable(() -> JitsuConfig.parse(yaml, "big.yml", CLOCK, Map.of()));
        assertThat(t).isInstanceOf(ConfigException.class);
        return (ConfigException) t;
    }

    @Test
    void tenThousandServicesParseAndValidate() {
        JitsuConfig c = JitsuConfig.parse(config(SERVICES, -1, ""), "big.yml", CLOCK, Map.of());
        assertThat(c.services()).hasSize(SERVICES);
        ServiceConfig last = c.services().get(SERVICES - 1);
        assertThat(last.id()).isEqualTo("p9999");
        assertThat(last.path()).isEqualTo("services[9999]");
        assertThat(last.names().get(0).text()).isEqualTo("p9999.pages.test");
        assertThat(last.addresses().get(0).getHostAddress()).isEqualTo("127.2.39.15");
        assertThat(last.spec().path()).isEqualTo("services[9999].process");
        assertThat(last.spec().strings("command")).containsExactly("busybox", "httpd");
        assertThat(last.readiness().get(0).path()).isEqualTo("services[9999].readiness[0]");
        // equal values of different services are one object (keys and repeated scalars, parsed durations)
        ServiceConfig first = c.services().get(0);
        assertThat(last.idleTimeout()).isSameAs(first.idleTimeout());
        assertThat(last.backend()).isSameAs(first.backend());
    }

    @Test
    void aMalformedServiceAmongManyIsNamedByItsIndex() {
        ConfigException address = fails(config(SERVICES, 7321,
                "  - {id: p7321, names: [p7321.pages.test], addresses: [127.2.300.1], backend: local}"));
        assertThat(address.key()).isEqualTo("services[7321].addresses[0]");
        assertThat(address.getMessage()).contains("127.2.300.1");

        ConfigException unknown = fails(config(SERVICES, 9000,
                "  - {id: p9000, names: [p9000.pages.test], addresses: [127.2.0.1], backend: local, idel-timeout: 1h}"));
        assertThat(unknown.key()).isEqualTo("services[9000].idel-timeout");
        assertThat(unknown.getMessage()).contains("unknown key");

        ConfigException tagged = fails(config(100, 42,
                "  - {id: !!java.lang.Object p42, names: [p42.pages.test], addresses: [127.2.0.1], backend: local}"));
        assertThat(tagged.key()).isEqualTo("services[42].id");
        assertThat(tagged.getMessage()).contains("without tags").contains("line 46");

        ConfigException duplicateKey = fails(config(100, 50,
                "  - {id: p50, id: p51, names: [p50.pages.test], addresses: [127.2.0.1], backend: local}"));
        assertThat(duplicateKey.key()).isEqualTo("services[50].id");
        assertThat(duplicateKey.getMessage()).contains("duplicate key on line 54");
    }

    @Test
    void aNameOrIdUsedTwiceAmongManyNamesBothServices() {
        ConfigException name = fails(config(SERVICES, 8888,
                "  - {id: p8888, names: [p12.pages.test], addresses: [127.2.0.1], backend: local}"));
        assertThat(name.key()).isEqualTo("services[8888].names[0]");
        assertThat(name.getMessage()).contains("services[12] has it");

        ConfigException id = fails(config(SERVICES, 9999,
                "  - {id: p3, names: [p9999.pages.test], addresses: [127.2.0.1], backend: local}"));
        assertThat(id.key()).isEqualTo("services[9999].id");
        assertThat(id.getMessage()).contains("services[3] has it");
    }

    @Test
    void mergeKeysTakeMissingKeysAndOwnKeysWinInTheirPlace() {
        Map<?, ?> root = YamlDocuments.load(String.join("\n",
                "base: &b {a: 1, b: 2, c: 3}",
                "other: &o {c: 30, d: 40}",
                "one: {b: 20, <<: *b}",
                "two: {<<: [*b, *o], a: 10}",
                ""));
        assertThat(root.get("one")).isEqualTo(Map.of("a", 1, "b", 20, "c", 3));
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) root.get("one")).keySet())).containsExactly("b", "a", "c");
        assertThat(root.get("two")).isEqualTo(Map.of("a", 10, "b", 2, "c", 3, "d", 40));
        assertThat(new java.util.ArrayList<Object>(((Map<?, ?>) root.get("two")).keySet())).containsExactly("a", "b", "c", "d");
    }

    @Test
    void scalarsKeepTheirYamlTypes() {
        Map<?, ?> root = YamlDocuments.load("i: 12\nh: 0x1f\nf: 1.5\nb: true\nn: null\ns: '12'\nbig: 12345678901\n");
        assertThat(root.get("i")).isEqualTo(12);
        assertThat(root.get("h")).isEqualTo(31);
        assertThat(root.get("f")).isEqualTo(1.5);
        assertThat(root.get("b")).isEqualTo(true);
        assertThat(root.containsKey("n")).isTrue();
        assertThat(root.get("n")).isNull();
        assertThat(root.get("s")).isEqualTo("12");
        assertThat(root.get("big")).isEqualTo(12345678901L);
    }

    @Test
    void anAliasInsideItsOwnAnchorIsRefused() {
        Throwable t = catchThrowable(() -> YamlDocuments.load("a: &x [1, *x]\n"));
        assertThat(t).isInstanceOf(ConfigException.class);
        assertThat(((ConfigException) t).key()).isEqualTo("a[1]");
    }

    @Test
    void twoDocumentsAreRefused() {
        Throwable t = catchThrowable(() -> YamlDocuments.load("a: 1\n---\nb: 2\n"));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("single document")
                .hasMessageContaining("line 2");
    }
}
