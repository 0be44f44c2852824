package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jitsu.server.proxy.HeldPort;
import org.jitsu.server.proxy.HoldSettings;
import org.jitsu.server.proxy.ProxySettings;
import org.jitsu.settings.ConfigException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code answer:}, {@code hold:} and {@code proxy:}: what is read, and every bad value named by its key. */
@Tag("fast")
class HoldConfigTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    private static String config(String... serviceLines) {
        return String.join("\n",
                "zones:",
                "  - name: example.test",
                "    nameservers: [ns1.example.test]",
                "backends:",
                "  local: {type: process}",
                "services:",
                "  - id: www",
                "    names: [www.example.test]",
                "    addresses: [127.0.0.2]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.0.2:8080\"]}",
                "    " + String.join("\n    ", serviceLines),
                "");
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
    void aHoldIsReadWithItsDefaults() throws Exception {
        JitsuConfig c = JitsuConfig.parse(config("answer: at-once", "hold: {front: [127.0.0.3], ports: [8080]}"),
                "test.yml", CLOCK);
        ServiceConfig www = c.service("www").orElseThrow();
        assertThat(www.atOnce()).isTrue();
        HoldSettings hold = www.hold().orElseThrow();
        assertThat(hold.front()).containsExactly(InetAddress.getByName("127.0.0.3"));
        assertThat(hold.ports()).containsExactly(new HeldPort(8080, 8080, false));
        assertThat(hold.maxHeld()).isEqualTo(HoldSettings.DEFAULT_MAX_HELD);
        assertThat(hold.bufferBytes()).isEqualTo(HoldSettings.DEFAULT_BUFFER);
        assertThat(hold.drain()).isEqualTo(HoldSettings.DEFAULT_DRAIN);
        assertThat(hold.activeWithin()).isEqualTo(HoldSettings.DEFAULT_ACTIVE_WITHIN);
        assertThat(hold.releaseWindow()).isEqualTo(HoldSettings.DEFAULT_RELEASE_WINDOW);
        assertThat(hold.releaseSettle()).isEqualTo(HoldSettings.DEFAULT_RELEASE_SETTLE);
        assertThat(c.proxy()).isEqualTo(ProxySettings.DEFAULT);
        assertThat(c.holds()).containsOnlyKeys("www");
    }

    @Test
    void everyKeyOfAHoldIsRead() {
        JitsuConfig c = JitsuConfig.parse(String.join("\n", config("hold:",
                        "  front: [127.0.0.3]",
                        "  ports: [{port: 80, to: 8080, http: true}, 443]",
                        "  max-held: 9", "  buffer: 2KiB", "  drain: 0s", "  active-within: 30s", "  retry-after: 2s",
                        "  release-window: 3", "  release-settle: 250ms"),
                "proxy: {max-held: 99, event-loops: 2}", ""), "test.yml", CLOCK);
        ServiceConfig www = c.service("www").orElseThrow();
        assertThat(www.atOnce()).as("a hold without answer: at-once still answers when ready").isFalse();
        HoldSettings hold = www.hold().orElseThrow();
        assertThat(hold.ports()).containsExactly(new HeldPort(80, 8080, true), new HeldPort(443, 443, false));
        assertThat(hold.maxHeld()).isEqualTo(9);
        assertThat(hold.bufferBytes()).isEqualTo(2048);
        assertThat(hold.drain()).isZero();
        assertThat(hold.activeWithin()).isEqualTo(Duration.ofSeconds(30));
        assertThat(hold.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(hold.releaseWindow()).isEqualTo(3);
        assertThat(hold.releaseSettle()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.proxy()).isEqualTo(new ProxySettings(99, 2));
    }

    @Test
    void badValuesAreNamedByTheirKey() {
        fails(config("answer: soon"), "services[0].answer");
        fails(config("answer: at-once"), "services[0].hold");
        fails(config("hold: {ports: [80]}"), "services[0].hold.front");
        fails(config("hold: {front: [127.0.0.3]}"), "services[0].hold.ports");
        fails(config("hold: {front: [127.0.0.2], ports: [80]}"), "services[0].hold.front[0]");
        fails(config("hold: {front: [\"::3\"], ports: [80]}"), "services[0].hold.front");
        fails(config("hold: {front: [127.0.0.3], ports: [0]}"), "services[0].hold.ports[0]");
        fails(config("hold: {front: [127.0.0.3], ports: [{port: 80, to: 70000}]}"), "services[0].hold.ports[0].to");
        fails(config("hold: {front: [127.0.0.3], ports: [80, 80]}"), "services[0].hold.ports[1]");
        fails(config("hold: {front: [127.0.0.3], ports: [80], max-held: 0}"), "services[0].hold.max-held");
        fails(config("hold: {front: [127.0.0.3], ports: [80], drain: later}"), "services[0].hold.drain");
        fails(config("hold: {front: [127.0.0.3], ports: [80], release-window: 0}"), "services[0].hold.release-window");
        fails(config("hold: {front: [127.0.0.3], ports: [80], release-settle: 0s}"), "services[0].hold.release-settle");
        fails(config("hold: {front: [127.0.0.3], ports: [80], colour: red}"), "services[0].hold.colour");
        fails(config("hold: {front: [127.0.0.3], ports: [80]}") + "proxy: {max-held: 0}\n", "proxy.max-held");
    }

    @Test
    void twoServicesCannotHoldTheSameFront() {
        String yaml = config("hold: {front: [127.0.0.3], ports: [80]}") + String.join("\n",
                "  - id: api",
                "    names: [api.example.test]",
                "    addresses: [127.0.0.4]",
                "    backend: local",
                "    process: {command: [busybox, httpd, -f, -p, \"127.0.0.4:80\"]}",
                "    hold: {front: [127.0.0.3], ports: [80]}", "");
        assertThat(fails(yaml, "services[1].hold.front").getMessage()).contains("127.0.0.3:80")
                .contains("services[0] holds it");
    }

    @Test
    void theExampleConfigIsValid() throws Exception {
        JitsuConfig c = JitsuConfig.load(Path.of("..", "config", "hold.yml"));
        assertThat(c.service("www").orElseThrow().atOnce()).isTrue();
        assertThat(c.holds().get("www").ports()).extracting(HeldPort::http).containsExactly(true);
        assertThat(List.copyOf(c.holds().keySet())).containsExactly("www");
    }
}
