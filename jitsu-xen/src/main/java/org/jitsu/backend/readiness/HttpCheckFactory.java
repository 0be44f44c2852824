package org.jitsu.backend.readiness;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jitsu.backend.ReadinessCheck;
import org.jitsu.backend.spi.ReadinessCheckFactory;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.IpLiteral;
import org.jitsu.settings.Settings;
import reactor.core.scheduler.Scheduler;

/**
 * {@code http: URL}: a GET of an {@code http://} URL whose host is an IP literal returns a 2xx status
 * (host names are refused, never looked up; no user info, no fragment).
 */
public final class HttpCheckFactory implements ReadinessCheckFactory {
    private static final String EXPECTED = "an http:// URL whose host is an IP address literal, such as"
            + " http://127.0.0.2:8080/ (host names are not looked up)";

    /** For {@link java.util.ServiceLoader}. */
    public HttpCheckFactory() {
    }

    @Override
    public String key() {
        return "http";
    }

    @Override
    public String syntax() {
        return "http: URL";
    }

    @Override
    public ReadinessCheck parse(Settings item, Scheduler timer) {
        String key = item.keyPath(key());
        String value = item.string(key());
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, value, EXPECTED);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") || uri.getRawAuthority() == null || uri.getUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new ConfigException(key, value, EXPECTED);
        }
        String host = uri.getHost();
        if (host == null || IpLiteral.parse(host).isEmpty()) {
            throw new ConfigException(key, value, EXPECTED);
        }
        return new HttpCheck(uri, Attempts.TIMEOUT, timer);
    }
}
