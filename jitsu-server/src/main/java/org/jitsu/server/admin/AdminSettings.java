package org.jitsu.server.admin;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * The admin HTTP endpoint ({@code admin:}): metrics, health, the service API and reload.
 *
 * @param enabled {@code admin.enabled}; false: no HTTP listener at all
 * @param address {@code admin.address}: where it listens (default 127.0.0.1:8053)
 * @param token the bearer token every request except {@code /health/*} must carry; required when the
 *     address is not a loopback address ({@code admin.token}, else the environment variable
 *     {@code JITSU_ADMIN_TOKEN})
 */
public record AdminSettings(boolean enabled, InetSocketAddress address, Optional<String> token) {
    /** The default port of the admin endpoint. */
    public static final int DEFAULT_PORT = 8053;

    public AdminSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
        // never print the token
        return "AdminSettings[enabled=" + enabled + ", address=" + address + ", token=" + (token.isPresent() ? "***"
                : "none") + "]";
    }
}
