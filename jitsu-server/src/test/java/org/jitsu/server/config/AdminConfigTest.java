package org.jitsu.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.jitsu.settings.ConfigException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code admin:} and {@code metrics:}: defaults, the token rule, and what errors name. */
@Tag("fast")
class AdminConfigTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
    private static final String TOKEN = "0123456789abcdef-token";

    private static JitsuConfig parse(String yaml, Map<String, String> env) {
        return JitsuConfig.parse(yaml + JitsuConfigTest.MINIMAL, "test.yml", CLOCK, env);
    }

    private static ConfigException fails(String yaml, Map<String, String> env, String key) {
        Throwable t = catchThrowable(() -> parse(yaml, env));
        assertThat(t).isInstanceOf(ConfigException.class);
        assertThat(((ConfigException) t).key()).isEqualTo(key);
        return (ConfigException) t;
    }

    @Test
    void defaults() {
        JitsuConfig c = parse("", Map.of());
        assertThat(c.admin().enabled()).isTrue();
        assertThat(c.admin().address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(c.admin().address().getPort()).isEqualTo(8053);
        assertThat(c.admin().token()).isEmpty();
        assertThat(c.metricsEnabled()).isTrue();
    }

    @Test
    void explicitSettings() {
        JitsuConfig c = parse("admin: {address: \"[::1]:9100\", token: " + TOKEN + "}\nmetrics: {enabled: false}\n",
                Map.of());
        assertThat(c.admin().address().getPort()).isEqualTo(9100);
        assertThat(c.admin().address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.admin().token()).hasValue(TOKEN);
        assertThat(c.admin().toString()).doesNotContain(TOKEN);
        assertThat(c.metricsEnabled()).isFalse();
        assertThat(parse("admin: {enabled: false}\n", Map.of()).admin().enabled()).isFalse();
    }

    @Test
    void nonLoopbackAddressNeedsAToken() {
        ConfigException e = fails("admin: {address: \"192.0.2.10:8053\"}\n", Map.of(), "admin.token");
        assertThat(e.getMessage()).contains("JITSU_ADMIN_TOKEN").contains("not a loopback address");
        assertThat(parse("admin: {address: \"192.0.2.10:8053\", token: " + TOKEN + "}\n", Map.of()).admin().token())
                .hasValue(TOKEN);
        assertThat(parse("admin: {address: \"192.0.2.10:8053\"}\n", Map.of("JITSU_ADMIN_TOKEN", TOKEN)).admin().token())
                .hasValue(TOKEN);
        // the file's token wins over the environment's
        assertThat(parse("admin: {token: " + TOKEN + "}\n", Map.of("JITSU_ADMIN_TOKEN", "other-token-0123456789"))
                .admin().token()).hasValue(TOKEN);
        // a disabled endpoint needs nothing
        assertThat(parse("admin: {enabled: false, address: \"192.0.2.10:8053\"}\n", Map.of()).admin().token())
                .isEqualTo(Optional.empty());
    }

    @Test
    void badValuesAreNamed() {
        ConfigException shortToken = fails("admin: {token: short}\n", Map.of(), "admin.token");
        assertThat(shortToken.getMessage()).doesNotContain("short").contains("at least 16");
        fails("admin: {address: localhost:8053}\n", Map.of(), "admin.address");
        fails("admin: {port: 1}\n", Map.of(), "admin.port");
        fails("metrics: {enabled: maybe}\n", Map.of(), "metrics.enabled");
        fails("metrics: {path: /m}\n", Map.of(), "metrics.path");
        fails("", Map.of("JITSU_ADMIN_TOKEN", "x y"), "JITSU_ADMIN_TOKEN");
    }
}
