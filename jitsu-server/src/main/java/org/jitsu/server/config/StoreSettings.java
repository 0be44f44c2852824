package org.jitsu.server.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the server keeps state that outlives it ({@code store:}): the embedded store (a directory on
 * this host, the default) or an etcd cluster shared by several Jitsu instances.
 *
 * @param type {@code store.type}
 * @param directory {@code store.directory}: the embedded store's directory (default {@code <state-dir>/store})
 * @param etcd the etcd settings when {@code type} is {@link Type#ETCD}
 */
public record StoreSettings(Type type, Path directory, Optional<Etcd> etcd) {
    public StoreSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(etcd, "etcd");
    }

    /** The kind of store. */
    public enum Type {
        EMBEDDED,
        ETCD
    }

    /** What boots do while etcd cannot be reached ({@code store.etcd.on-unavailable}). */
    public enum OnUnavailable {
        /** SERVFAIL for queries that need a boot; running services are still answered. */
        REFUSE,
        /** Boot on this instance alone, at the risk of a second boot elsewhere; reconciled on reconnection. */
        BOOT_LOCALLY
    }

    /**
     * {@code store.etcd}.
     *
     * @param endpoints etcd client URLs' host:port, IP literals only
     * @param prefix every key starts with it (default {@code /jitsu/})
     * @param instanceId this instance's name in the cluster (default: {@code <listen address>-<port>})
     * @param leaseTtl the instance lease's TTL (whole seconds, default 5 s)
     * @param tls {@code true} when ca/cert/key are given (https endpoints)
     * @param ca {@code store.etcd.ca}: CA certificate file
     * @param cert {@code store.etcd.cert}: client certificate file
     * @param key {@code store.etcd.key}: client key file (PKCS#8)
     * @param user {@code store.etcd.user}
     * @param password {@code store.etcd.password} (never printed)
     * @param onUnavailable {@code store.etcd.on-unavailable}
     */
    public record Etcd(List<InetSocketAddress> endpoints, String prefix, String instanceId, Duration leaseTtl,
                       boolean tls, Optional<Path> ca, Optional<Path> cert, Optional<Path> key,
                       Optional<String> user, Optional<String> password, OnUnavailable onUnavailable) {
        public Etcd {
            endpoints = List.copyOf(endpoints);
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(leaseTtl, "leaseTtl");
            Objects.requireNonNull(onUnavailable, "onUnavailable");
        }

        @Override
        public String toString() {
            return "Etcd[endpoints=" + endpoints + ", prefix=" + prefix + ", instanceId=" + instanceId + ", leaseTtl="
                    + leaseTtl + ", tls=" + tls + ", user=" + user.orElse("none") + ", password="
                    + (password.isPresent() ? "***" : "none") + ", onUnavailable=" + onUnavailable + "]";
        }
    }
}
