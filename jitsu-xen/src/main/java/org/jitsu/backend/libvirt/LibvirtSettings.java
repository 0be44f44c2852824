package org.jitsu.backend.libvirt;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/**
 * The validated settings of one libvirt backend ({@code backends.NAME} with {@code type: libvirt}).
 *
 * @param uri the libvirt connection URI
 * @param threads the number of threads that may run libvirt calls at once
 * @param keepalive the keepalive interval for connections through libvirtd (ignored by in-process drivers)
 */
record LibvirtSettings(String uri, int threads, Duration keepalive) {
    static final int DEFAULT_THREADS = 4;
    static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(5);

    private static final Pattern SCHEME = Pattern.compile("(xen|qemu|test)(\\+(unix|ssh|libssh|libssh2|tls|tcp))?");
    private static final String URI_EXPECTED = "a libvirt URI such as xen:///system, qemu:///system, "
            + "qemu:///embed?root=/ABSOLUTE/DIR, test:///default or test:///ABSOLUTE/PATH.xml";

    static LibvirtSettings parse(Settings s) {
        s.allowOnly("type", "uri", "threads", "keepalive");
        String uri = s.string("uri");
        checkUri(s.keyPath("uri"), uri);
        int threads = (int) s.integer("threads", DEFAULT_THREADS, 1, 256);
        Duration keepalive = s.positiveDuration("keepalive", DEFAULT_KEEPALIVE);
        if (keepalive.toMillis() % 1000 != 0 || keepalive.toSeconds() > 3600) {
            throw new ConfigException(s.keyPath("keepalive"), s.raw("keepalive").orElse(keepalive),
                    "a whole number of seconds from 1s to 3600s (libvirt counts keepalive in seconds)");
        }
        return new LibvirtSettings(uri, threads, keepalive);
    }

    /** True for URIs served through a libvirt daemon, where keepalive applies. */
    boolean remote() {
        URI u = URI.create(uri);
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        boolean embed = "/embed".equals(u.getPath());
        return !(scheme.equals("test") && u.getHost() == null) && !embed;
    }

    private static void checkUri(String key, String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(key, text, URI_EXPECTED);
        }
        if (u.getScheme() == null || !SCHEME.matcher(u.getScheme().toLowerCase(Locale.ROOT)).matches()
                || u.getPath() == null || u.getPath().isEmpty() || u.getFragment() != null) {
            throw new ConfigException(key, text, URI_EXPECTED);
        }
        String driver = u.getScheme().toLowerCase(Locale.ROOT).split("\\+")[0];
        String path = u.getPath();
        boolean ok = switch (driver) {
            case "xen" -> path.equals("/") || path.equals("/system");
            case "qemu" -> path.equals("/system") || path.equals("/session") || embedRootOk(u);
            default -> path.equals("/default") || (path.endsWith(".xml") && path.length() > "/.xml".length());
        };
        if (!ok) {
            throw new ConfigException(key, text, URI_EXPECTED);
        }
    }

    private static boolean embedRootOk(URI u) {
        String q = u.getQuery();
        return "/embed".equals(u.getPath()) && q != null && q.startsWith("root=/") && q.length() > "root=/".length();
    }
}
