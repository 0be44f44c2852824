package org.jitsu.server.store.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The key layout under {@code store.etcd.prefix}, in one place (the table in docs/cluster.md):
 * {@code services/<id>}, {@code state/<instance>/<id>}, {@code claims/<id>},
 * {@code lastquery/<id>/<instance>} and {@code vms/<id>}. Keys and values are UTF-8.
 */
final class EtcdKeys {
    static final String SERVICES = "services/";
    static final String STATE = "state/";
    static final String CLAIMS = "claims/";
    static final String LAST_QUERY = "lastquery/";
    static final String VMS = "vms/";

    private final String prefix;

    EtcdKeys(String prefix) {
        this.prefix = prefix;
    }

    /** A service id and the instance of a {@code lastquery/<id>/<instance>} key. */
    record LastQueryKey(String serviceId, String instance) {
    }

    String prefix() {
        return prefix;
    }

    ByteSequence services() {
        return bytes(prefix + SERVICES);
    }

    ByteSequence service(String id) {
        return bytes(prefix + SERVICES + id);
    }

    /** The id of a {@code services/<id>} key. */
    String serviceId(ByteSequence key) {
        return text(key).substring(prefix.length() + SERVICES.length());
    }

    /** The prefix of one instance's records, {@code state/<instance>/}. */
    String states(String instance) {
        return prefix + STATE + instance + "/";
    }

    ByteSequence state(String instance, String id) {
        return bytes(states(instance) + id);
    }

    ByteSequence claims() {
        return bytes(prefix + CLAIMS);
    }

    ByteSequence claim(String id) {
        return bytes(prefix + CLAIMS + id);
    }

    /** The id of a {@code claims/<id>} key. */
    String claimId(ByteSequence key) {
        return text(key).substring(prefix.length() + CLAIMS.length());
    }

    ByteSequence lastQueries() {
        return bytes(prefix + LAST_QUERY);
    }

    ByteSequence lastQuery(String id, String instance) {
        return bytes(prefix + LAST_QUERY + id + "/" + instance);
    }

    /** The parts of a {@code lastquery/<id>/<instance>} key; empty when it has no {@code /} after a non-empty id. */
    Optional<LastQueryKey> lastQueryKey(ByteSequence key) {
        String rest = text(key).substring(prefix.length() + LAST_QUERY.length());
        int slash = rest.indexOf('/');
        return slash <= 0 ? Optional.empty()
                : Optional.of(new LastQueryKey(rest.substring(0, slash), rest.substring(slash + 1)));
    }

    ByteSequence vm(String id) {
        return bytes(prefix + VMS + id);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
