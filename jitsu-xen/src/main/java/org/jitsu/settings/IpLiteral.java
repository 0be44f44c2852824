package org.jitsu.settings;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parses IP address literals without ever consulting a resolver: Jitsu never looks names up through
 * the system's resolver, so every address in the config must be a literal.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The address written as {@code text}, or empty when it is not an IPv4 or IPv6 literal. */
    public static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') >= 0) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
                if (!ok) {
                    return Optional.empty();
                }
            }
            try {
                // Contains ':' and only hex digits, dots and colons: parsed as a literal, never looked up.
                return Optional.of(InetAddress.getByName(s));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        return parseV4(s).map(a -> (InetAddress) a);
    }

    private static Optional<Inet4Address> parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                return Optional.empty();
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = p.charAt(j) - '0';
                if (d < 0 || d > 9) {
                    return Optional.empty();
                }
                v = v * 10 + d;
            }
            if (v > 255) {
                return Optional.empty();
            }
            b[i] = (byte) v;
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
