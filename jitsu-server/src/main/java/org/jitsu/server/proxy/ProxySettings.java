package org.jitsu.server.proxy;

/**
 * The front's settings shared by every service ({@code proxy:}).
 *
 * @param maxHeld connections waiting for a boot, over all services, at most; beyond, new ones are reset
 * @param eventLoops the front's own Netty event loops (never the DNS ones)
 */
public record ProxySettings(int maxHeld, int eventLoops) {
    public static final ProxySettings DEFAULT = new ProxySettings(4096, 1);

    /** @throws IllegalArgumentException naming the value when one is not positive */
    public ProxySettings {
        if (maxHeld < 1 || eventLoops < 1) {
            throw new IllegalArgumentException("maxHeld " + maxHeld + ", eventLoops " + eventLoops + " (expected: > 0)");
        }
    }
}
