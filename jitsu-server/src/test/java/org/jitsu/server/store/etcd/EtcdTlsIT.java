package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.JitsuStartException;
import org.jitsu.server.config.JitsuConfig;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.server.core.BootCoordinator;
import org.jitsu.server.store.StateStore;
import org.jitsu.server.testing.Closer;
import org.jitsu.server.testing.DnsTools;
import org.jitsu.server.testing.JitsuServerExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd on https with client certificates required ({@code --client-cert-auth}), certificates made by
 * openssl for this run: the store and a Jitsu server work with {@code store.etcd.ca/cert/key}; an
 * untrusted CA, a missing client certificate and a client certificate of another CA each fail with one
 * message naming the problem and the key, within the call bound.
 */
@Tag("etcd")
class EtcdTlsIT {
    private static final Duration T = Duration.ofSeconds(15);

    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension().withTls();

    @RegisterExtension
    @Order(2)
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private StateStore store(StoreSettings.Etcd s) {
        return open.add(EtcdStores.open(s));
    }

    private StoreSettings.Etcd settings() {
        return etcd.settings(etcd.endpoint(), "/jitsu-test/", "ns1", StoreSettings.OnUnavailable.REFUSE);
    }

    private static StoreSettings.Etcd with(StoreSettings.Etcd s, Optional<Path> ca, Optional<Path> cert,
                                           Optional<Path> key) {
        return new StoreSettings.Etcd(s.endpoints(), s.prefix(), s.instanceId(), s.leaseTtl(), true, ca, cert, key,
                s.user(), s.password(), s.onUnavailable());
    }

    @Test
    void theStoreWorksOverTlsWithAClientCertificate() {
        StateStore a = store(settings());
        a.start().block(T);
        a.putService("web", "id: web\n").block(T);
        assertThat(a.services().block(T)).containsExactly(Map.entry("web", "id: web\n"));
        assertThat(a.coordinator().claim("web").block(T)).as("a claim: lease and transaction over TLS")
                .isEqualTo(BootCoordinator.Claim.OWN);
    }

    @Test
    void anUntrustedCaIsNamed() {
        StoreSettings.Etcd s = with(settings(), Optional.of(etcd.pem("other-ca.pem")), Optional.of(etcd.pem("client.pem")),
                Optional.of(etcd.pem("client.key")));
        assertThatThrownBy(() -> store(s).services().block(T))
                .hasMessageContaining("store.etcd.ca")
                .hasMessageContaining("not trusted")
                .hasMessageContaining(etcd.endpoint());
    }

    @Test
    void aMissingClientCertificateIsNamed() {
        StoreSettings.Etcd s = with(settings(), Optional.of(etcd.pem("ca.pem")), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> store(s).services().block(T))
                .hasMessageContaining("client certificate")
                .hasMessageContaining("store.etcd.cert");
    }

    @Test
    void aClientCertificateOfAnotherCaIsNamed() {
        StoreSettings.Etcd s = with(settings(), Optional.of(etcd.pem("ca.pem")), Optional.of(etcd.pem("other-client.pem")),
                Optional.of(etcd.pem("other-client.key")));
        assertThatThrownBy(() -> store(s).services().block(T))
                .hasMessageContaining("rejected the client certificate")
                .hasMessageContaining("store.etcd.cert");
    }

    @Test
    void aJitsuServerBootsOnceOverTlsAndAnUntrustedCaFailsItsStartWithOneLine() throws Exception {
        int port = JitsuServerExtension.freePort("127.0.0.1");
        Path config = config("ns1", port, etcd.yaml(etcd.endpoint()));
        JitsuServer server = JitsuServer.builder(JitsuConfig.load(config)).startTimeout(T).start();
        open.add(() -> server.close(true));
        assertThat(DnsTools.dig("127.0.0.1", port, "+short", "+tries=1", "+time=10", "svc.tls.test", "A").stdout()
                .strip()).isEqualTo("127.0.9.10");
        assertThat(server.pipeline().core().status("svc").orElseThrow().boots()).isEqualTo(1);
        assertThat(etcd.etcdctl("get", "/jitsu-test/claims/svc", "--print-value-only").strip())
                .as("the claim written over TLS").isEqualTo("running ns1");

        Path bad = config("ns2", JitsuServerExtension.freePort("127.0.0.1"),
                etcd.yaml(etcd.endpoint()).replace(etcd.pem("ca.pem").toString(), etcd.pem("other-ca.pem").toString()));
        assertThatThrownBy(() -> JitsuServer.builder(JitsuConfig.load(bad)).startTimeout(T).start())
                .isInstanceOf(JitsuStartException.class)
                .hasMessageContaining("store.etcd.ca")
                .hasMessageContaining("not trusted")
                .hasMessageNotContaining("\n");
    }

    private Path config(String name, int port, String etcdKeys) throws Exception {
        String yaml = String.join("\n",
                EtcdExtension.configHead(port, dir.resolve(name),
                        etcdKeys + ", prefix: /jitsu-test/, instance-id: " + name),
                "zones: [{name: tls.test, nameservers: [ns1.tls.test], hosts: {ns1.tls.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                EtcdExtension.sleeper("svc", "svc.tls.test", "127.0.9.10"),
                "");
        return Files.writeString(dir.resolve(name + ".yml"), yaml);
    }
}
