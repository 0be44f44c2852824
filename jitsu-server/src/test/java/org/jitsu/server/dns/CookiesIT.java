package org.jitsu.server.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS cookies on the real server, with dig as the client: a client cookie is answered with a server
 * cookie dig accepts, a client that sends it back is not rate limited, and one without is.
 */
@Tag("native")
class CookiesIT {
    private static final Pattern COOKIE = Pattern.compile("; COOKIE: ([0-9a-f]{16})([0-9a-f]{32}) \\(good\\)");

    @TempDir
    Path dir;

    @Test
    void aServerCookieIsGivenAndAClientThatSendsItBackIsNotLimited() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        String yaml = String.join("\n",
                "listen: {addresses: [127.0.0.1], port: " + port + "}",
                "admin: {enabled: false}",
                "state-dir: \"" + dir.resolve("run") + "\"",
                "rate-limit: {responses-per-second: 1, slip: 1}",
                "cookies: {secret: e5e973e5a6b2a43f48e7dc849e37bfcf}",
                "zones: [{name: ck.test, nameservers: [ns1.ck.test], hosts: {ns1.ck.test: [127.0.0.1],"
                        + " www.ck.test: [192.0.2.10]}}]",
                "");
        try (JitsuServer server = JitsuServer.builder(JitsuConfig.parse(yaml, "cookies.yml")).start()) {
            DnsTools.Result first = DnsTools.dig("127.0.0.1", port, "+cookie", "+ignore", "www.ck.test", "A");
            Matcher m = COOKIE.matcher(first.stdout());
            assertThat(m.find()).as("a server cookie dig accepts: %s", first.stdout()).isTrue();
            assertThat(m.group(2)).as("RFC 9018: version 1, reserved 0").startsWith("01000000");
            String both = m.group(1) + m.group(2);

            for (int i = 0; i < 5; i++) {
                DnsTools.Result again = DnsTools.dig("127.0.0.1", port, "+cookie=" + both, "+ignore", "+tries=1",
                        "www.ck.test", "A");
                assertThat(again.stdout()).as("query %d with the server cookie: never limited", i)
                        .contains("status: NOERROR").doesNotContain(" tc ").contains("192.0.2.10");
            }
            // without a cookie: 1 per second, then truncated (slip 1); three in a row, so that at most one of
            // them can get a token refilled since the first query
            StringBuilder plain = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                plain.append(DnsTools.dig("127.0.0.1", port, "+nocookie", "+ignore", "+tries=1", "www.ck.test", "A")
                        .stdout());
            }
            assertThat(plain.toString()).as("without a cookie, over the limit").containsPattern(";; flags: qr aa tc");
        }
    }
}
