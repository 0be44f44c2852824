package org.jitsu.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jitsu.server.dns.ListenSettings;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/** Reads {@code store:} into {@link StoreSettings}. */
final class StoreParser {
    static final String DEFAULT_PREFIX = "/jitsu/";

    private StoreParser() {
    }

    static StoreSettings store(Settings s, Path stateDir, ListenSettings listen) {
        s.allowOnly("type", "directory", "etcd");
        String type = s.string("type", "embedded");
        Path directory = s.has("directory") ? path(s, "directory") : stateDir.resolve("store");
        switch (type) {
            case "embedded":
                if (s.has("etcd")) {
                    throw new ConfigException(s.keyPath("etcd"), "(a mapping)", "no etcd settings with store.type"
                            + " embedded (set store.type: etcd)");
                }
                return new StoreSettings(StoreSettings.Type.EMBEDDED, directory, Optional.empty());
            case "etcd":
                return new StoreSettings(StoreSettings.Type.ETCD, directory, Optional.of(etcd(s.child("etcd"), listen)));
            default:
                throw new ConfigException(s.keyPath("type"), type, "embedded or etcd");
        }
    }

    private static StoreSettings.Etcd etcd(Settings s, ListenSettings listen) {
        s.allowOnly("endpoints", "prefix", "instance-id", "lease-ttl", "ca", "cert", "key", "user", "password",
                "on-unavailable");
        List<String> texts = s.strings("endpoints");
        if (texts.isEmpty()) {
            throw new ConfigException(s.keyPath("endpoints"), s.has("endpoints") ? "[]" : null,
                    "at least one etcd client address as IP:port, such as 127.0.0.1:2379");
        }
        List<InetSocketAddress> endpoints = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            endpoints.add(Settings.parseSocketAddress(s.keyPath("endpoints") + "[" + i + "]", texts.get(i), 2379));
        }
        String prefix = s.string("prefix", DEFAULT_PREFIX);
        if (!prefix.startsWith("/") || !prefix.endsWith("/") || prefix.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException(s.keyPath("prefix"), prefix, "a key prefix that starts and ends with /,"
                    + " printable ASCII without spaces, such as /jitsu/");
        }
        String defaultId = listen.addresses().get(0).getHostAddress().replace(':', '.') + "-" + listen.port();
        String instanceId = s.string("instance-id", defaultId);
        if (!instanceId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new ConfigException(s.keyPath("instance-id"), instanceId,
                    "letters, digits, '.', '_' and '-' (at most 63), such as ns1");
        }
        Duration ttl = s.positiveDuration("lease-ttl", Duration.ofSeconds(5));
        if (ttl.toMillis() % 1000 != 0 || ttl.toSeconds() < 1 || ttl.toSeconds() > 3600) {
            throw new ConfigException(s.keyPath("lease-ttl"), s.raw("lease-ttl").map(Object::toString).orElse(""),
                    "whole seconds from 1s to 1h");
        }
        Optional<Path> ca = s.has("ca") ? Optional.of(pem(s, "ca", CERTIFICATE)) : Optional.empty();
        Optional<Path> cert = s.has("cert") ? Optional.of(pem(s, "cert", CERTIFICATE)) : Optional.empty();
        Optional<Path> key = s.has("key") ? Optional.of(pem(s, "key", PRIVATE_KEY)) : Optional.empty();
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(s.keyPath(cert.isPresent() ? "key" : "cert"), null,
                    "cert and key together (a client certificate and its key)");
        }
        Optional<String> user = s.optString("user");
        Optional<String> password = s.optString("password");
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigException(s.keyPath(user.isPresent() ? "password" : "user"), null,
                    "user and password together");
        }
        String policy = s.string("on-unavailable", "refuse");
        StoreSettings.OnUnavailable onUnavailable = switch (policy) {
            case "refuse" -> StoreSettings.OnUnavailable.REFUSE;
            case "boot-locally" -> StoreSettings.OnUnavailable.BOOT_LOCALLY;
            default -> throw new ConfigException(s.keyPath("on-unavailable"), policy, "refuse or boot-locally");
        };
        return new StoreSettings.Etcd(endpoints, prefix, instanceId, ttl, ca.isPresent(), ca, cert, key, user,
                password, onUnavailable);
    }

    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----";

    /**
     * A PEM file of the TLS settings, checked here so that {@code ./jitsu check} reports it: readable,
     * and with a certificate, or an unencrypted PKCS#8 key (what Netty reads without extra libraries).
     */
    private static Path pem(Settings s, String key, String begin) {
        Path file = path(s, key);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ConfigException(s.keyPath(key), file.toString(), "an existing PEM file (no such file)");
        } catch (IOException | UncheckedIOException e) {
            throw new ConfigException(s.keyPath(key), file.toString(), "a readable PEM file (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new ConfigException(s.keyPath(key), file.toString(), "a PEM file (ASCII text)");
        }
        if (!text.contains(begin)) {
            String expected = begin.equals(CERTIFICATE) ? "a PEM file with a certificate (" + CERTIFICATE + ")"
                    : text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? "an unencrypted PKCS#8 key (" + PRIVATE_KEY + "); convert it with: openssl pkcs8 -topk8 -nocrypt"
                    + " -in " + file + " -out KEY.pk8"
                    : "a PEM file with an unencrypted PKCS#8 key (" + PRIVATE_KEY + ")";
            throw new ConfigException(s.keyPath(key), file.toString(), expected);
        }
        return file;
    }

    private static Path path(Settings s, String key) {
        String text = s.string(key);
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new ConfigException(s.keyPath(key), text, "a file or directory path");
        }
    }
}
