package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.jitsu.server.testing.UdpDns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response-rate limiting on the real server: a flood from one /24 gets its rate in full answers and
 * every second limited answer truncated (slip), the rest dropped; a client of another prefix is
 * answered in full, and TCP is never limited.
 */
@Tag("native")
class RateLimitIT {
    @TempDir
    Path dir;

    @Test
    void aFloodFromOnePrefixIsLimitedWithSlipAndOthersAreAnswered() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + port + "}",
                "admin: {enabled: false}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "rate-limit: {responses-per-second: 20, slip: 2}",
                "zones: [{name: rl.test, nameservers: [ns1.rl.test], hosts: {ns1.rl.test: [127.0.0.1],"
                        + " www.rl.test: [192.0.2.10]}}]",
                "");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "rl.yml")).start()) {
            long started = System.nanoTime();
            int full;
            int truncated;
            int sent = 400;
            try (UdpDns flood = UdpDns.open("127.0.0.1", port)) {
                for (int id = 1; id <= sent; id++) {
                    flood.send(id, "www.rl.test", UdpDns.A);
                }
                flood.drain(500);
                full = (int) flood.replies().values().stream().filter(r -> !r.addresses().isEmpty()).count();
                truncated = flood.replies().size() - full;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int allowed = (int) Math.ceil(20 + 20 * seconds);
            assertThat(full).as("full answers: the burst and the refill over %.2f s", seconds)
                    .isBetween(20, allowed);
            int limited = sent - full;
            assertThat(truncated).as("slip 2: every second limited answer sent truncated")
                    .isBetween(limited / 2 - 1, limited / 2 + 1);

            try (UdpDns other = UdpDns.open("127.9.9.9", port)) {
                other.send(1, "www.rl.test", UdpDns.A);
                other.drain(500);
                assertThat(other.replies().get(1).addresses()).as("another /24").containsExactly("192.0.2.10");
            }
            assertThat(DnsTools.dig("127.0.0.1", port, "+tcp", "+short", "www.rl.test").stdout().trim())
                    .as("TCP is never limited").isEqualTo("192.0.2.10");
        }
    }
}
