package org.jitsu.backend.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A service's {@code libvirt.xenstore:} section: strings as they are, {@code json:} as compact JSON, in order. */
@Tag("fast")
class GuestConfigTest {
    private static Settings spec(Object xenstore) {
        return Settings.of("services[2].libvirt", Map.of("template", "x.xml", "xenstore", xenstore));
    }

    @Test
    void stringsAndJsonAreWrittenInTheConfigsOrder() {
        Map<String, Object> net = new LinkedHashMap<>();
        net.put("if", "xenif0");
        net.put("addr", "10.0.0.2");
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("cmdline", "httpd \"-p\" 80\n");
        cfg.put("net", net);
        cfg.put("blk", List.of(Map.of("source", "etfs"), 7, true));
        cfg.put("none", null);
        Map<String, Object> xs = new LinkedHashMap<>();
        xs.put("rumprun/cfg", Map.of("json", cfg));
        xs.put("data/name", "web");
        xs.put("data/port", 80);
        GuestConfig g = GuestConfig.parse(spec(xs));
        assertThat(g.entries()).containsExactly(
                Map.entry("rumprun/cfg", "{\"cmdline\":\"httpd \\\"-p\\\" 80\\n\",\"net\":{\"if\":\"xenif0\",\"addr\":\"10.0.0.2\"},"
                        + "\"blk\":[{\"source\":\"etfs\"},7,true],\"none\":null}"),
                Map.entry("data/name", "web"), Map.entry("data/port", "80"));
        assertThat(GuestConfig.parse(Settings.of("services[2].libvirt", Map.of("template", "x.xml"))).isEmpty()).isTrue();
    }

    @Test
    void badKeysAndValuesNameTheirKey() {
        assertThatThrownBy(() -> GuestConfig.parse(spec(Map.of("/local/domain/0/x", "v")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("services[2].libvirt.xenstore./local/domain/0/x").hasMessageContaining("relative");
        assertThatThrownBy(() -> GuestConfig.parse(spec(Map.of("a", Map.of("yaml", 1))))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("services[2].libvirt.xenstore.a").hasMessageContaining("{json: VALUE}");
        assertThatThrownBy(() -> GuestConfig.parse(spec(List.of("a")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("services[2].libvirt.xenstore").hasMessageContaining("a mapping");
    }
}
