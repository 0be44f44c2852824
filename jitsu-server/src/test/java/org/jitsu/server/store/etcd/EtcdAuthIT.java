package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jitsu.server.JitsuServer;
import org.jitsu.server.cli.Main;
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
 * etcd with authentication enabled (users root and jitsu, made with etcdctl): the store and Jitsu work
 * with {@code store.etcd.user/password}; a wrong or missing password is one message naming the keys
 * (exit 1 from {@code serve}: etcd refused, the config itself is valid), a config error in the TLS
 * files is exit 2 from {@code check}; a user deleted while Jitsu runs makes boots follow
 * {@code on-unavailable} within the call bound.
 */
@Tag("etcd")
class EtcdAuthIT {
    private static final Duration T = Duration.ofSeconds(15);

    @RegisterExtension
    @Order(1)
    final EtcdExtension etcd = new EtcdExtension().withAuth();

    @RegisterExtension
    @Order(2)
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private StateStore store(StoreSettings.Etcd s) {
        return open.add(EtcdStores.open(s));
    }

    private StoreSettings.Etcd withPassword(Optional<String> user, Optional<String> password) {
        StoreSettings.Etcd s = etcd.settings(etcd.endpoint(), "/jitsu-test/", "ns1", StoreSettings.OnUnavailable.REFUSE);
        return new StoreSettings.Etcd(s.endpoints(), s.prefix(), s.instanceId(), s.leaseTtl(), s.tls(), s.ca(), s.cert(),
                s.key(), user, password, s.onUnavailable());
    }

    @Test
    void theStoreWorksWithUserAndPassword() {
        StateStore a = store(etcd.settings(etcd.endpoint(), "/jitsu-test/", "ns1", StoreSettings.OnUnavailable.REFUSE));
        a.start().block(T);
        a.putService("web", "id: web\n").block(T);
        assertThat(a.services().block(T)).containsExactly(Map.entry("web", "id: web\n"));
        assertThat(a.coordinator().claim("web").block(T)).isEqualTo(BootCoordinator.Claim.OWN);
        assertThat(etcd.etcdctl("get", "/jitsu-test/claims/web", "--print-value-only").strip()).isEqualTo("booting ns1");
    }

    @Test
    void aWrongOrMissingPasswordIsOneMessageNamingTheKeys() {
        assertThatThrownBy(() -> store(withPassword(Optional.of("jitsu"), Optional.of("wrong"))).services().block(T))
                .hasMessage("etcd " + etcd.endpoint() + " rejected user jitsu: authentication failed, invalid user or"
                        + " password (store.etcd.user, store.etcd.password)");
        assertThatThrownBy(() -> store(withPassword(Optional.empty(), Optional.empty())).services().block(T))
                .hasMessageContaining("store.etcd.user");
    }

    @Test
    void serveExitsWith1AndOneLineOnAWrongPasswordAndCheckWith2OnAMissingCaFile() throws Exception {
        Path wrong = config("ns1", JitsuServerExtension.freePort("127.0.0.1"),
                etcd.yaml(etcd.endpoint()).replace(EtcdExtension.PASSWORD, "wrong"), "refuse");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"serve", "--config", wrong.toString()}, print(out), print(err));
        assertThat(code).as("etcd refused: a start failure, not a config error").isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo("jitsu: failed waiting for the state store"
                + " (etcd [/127.0.0.1:" + etcd.clientPort() + "] prefix /jitsu-test/): etcd " + etcd.endpoint()
                + " rejected user jitsu: authentication failed, invalid user or password (store.etcd.user,"
                + " store.etcd.password)");

        Path missing = config("ns2", JitsuServerExtension.freePort("127.0.0.1"),
                etcd.yaml(etcd.endpoint()) + ", ca: " + dir.resolve("no-such-ca.pem"), "refuse");
        err.reset();
        assertThat(Main.run(new String[] {"check", "--config", missing.toString()}, print(out), print(err)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("store.etcd.ca").contains("no such file");

        Path key = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n");
        Path cert = Files.writeString(dir.resolve("c.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Path pkcs1 = config("ns3", JitsuServerExtension.freePort("127.0.0.1"),
                etcd.yaml(etcd.endpoint()) + ", cert: " + cert + ", key: " + key, "refuse");
        err.reset();
        assertThat(Main.run(new String[] {"check", "--config", pkcs1.toString()}, print(out), print(err)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("store.etcd.key").contains("PKCS#8")
                .contains("openssl pkcs8 -topk8");
    }

    @Test
    void aUserDeletedWhileJitsuRunsMakesBootsFollowOnUnavailableWithoutHanging() throws Exception {
        int refusing = JitsuServerExtension.freePort("127.0.0.1");
        int local = JitsuServerExtension.freePort("127.0.0.1");
        JitsuServer a = start(config("ns1", refusing, etcd.yaml(etcd.endpoint()), "refuse"));
        JitsuServer b = start(config("ns2", local, etcd.yaml(etcd.endpoint()), "boot-locally"));
        assertThat(dig(refusing, "svc")).as("works with the password").isEqualTo("127.0.9.20");
        assertThat(etcd.etcdctl("get", "/jitsu-test/claims/svc", "--print-value-only").strip()).isEqualTo("running ns1");

        etcd.etcdctl("user", "delete", "jitsu");
        DnsTools.Result refused = DnsTools.dig("127.0.0.1", refusing, "+tries=1", "+time=15", "cold.auth.test", "A");
        assertThat(refused.stdout()).as("refuse: SERVFAIL within the bound").contains("status: SERVFAIL");
        assertThat(a.pipeline().core().status("cold").orElseThrow().boots()).isZero();
        assertThat(dig(local, "cold")).as("boot-locally: booted on ns2 without a claim").isEqualTo("127.0.9.21");
        assertThat(b.pipeline().core().status("cold").orElseThrow().boots()).isEqualTo(1);
        assertThat(dig(refusing, "svc")).as("running: still answered").isEqualTo("127.0.9.20");
    }

    private JitsuServer start(Path config) throws Exception {
        JitsuServer s = JitsuServer.builder(JitsuConfig.load(config)).startTimeout(T).start();
        open.add(() -> s.close(true));
        return s;
    }

    private static String dig(int port, String service) {
        return DnsTools.dig("127.0.0.1", port, "+short", "+tries=1", "+time=15", service + ".auth.test", "A").stdout()
                .strip();
    }

    private static PrintStream print(ByteArrayOutputStream b) {
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    private Path config(String name, int port, String etcdKeys, String onUnavailable) throws Exception {
        String yaml = String.join("\n",
                EtcdExtension.configHead(port, dir.resolve(name), etcdKeys + ", prefix: /jitsu-test/, instance-id: "
                        + name + ", on-unavailable: " + onUnavailable),
                "zones: [{name: auth.test, nameservers: [ns1.auth.test], hosts: {ns1.auth.test: [127.0.0.1]}}]",
                "backends: {local: {type: process}}",
                "services:",
                EtcdExtension.sleeper("svc", "svc.auth.test", "127.0.9.20") + EtcdExtension.sleeper("cold", "cold.auth.test", "127.0.9.21"),
                "");
        return Files.writeString(dir.resolve(name + ".yml"), yaml);
    }
}
