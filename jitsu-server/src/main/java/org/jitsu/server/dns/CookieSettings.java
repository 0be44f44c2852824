package org.jitsu.server.dns;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * DNS cookies ({@code cookies:}): on or off, and the server secret as 32 hex digits; without one, each
 * process draws its own at start-up (servers behind one address share one instead, so that each
 * verifies the others' cookies).
 *
 * @param enabled false: the COOKIE option is ignored (the default)
 * @param secretHex the 16-byte secret in hex, if configured
 */
public record CookieSettings(boolean enabled, Optional<String> secretHex) {
    public static final CookieSettings OFF = new CookieSettings(false, Optional.empty());

    public CookieSettings {
        Objects.requireNonNull(secretHex, "secretHex");
        secretHex.ifPresent(h -> {
            if (!h.matches("[0-9a-fA-F]{32}")) {
                throw new IllegalArgumentException("a cookie secret is 32 hex digits");
            }
        });
    }

    /** The secret to serve with: empty when cookies are off; the configured one; or one drawn now. */
    public Optional<byte[]> secret() {
        if (!enabled) {
            return Optional.empty();
        }
        return Optional.of(secretHex.map(h -> HexFormat.of().parseHex(h)).orElseGet(() -> {
            byte[] b = new byte[16];
            new SecureRandom().nextBytes(b);
            return b;
        }));
    }
}
