package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.jitsu.server.config.StoreSettings;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The one-line diagnosis of a failed etcd call, without an etcd: what etcd answered (by code), and a
 * failed TLS handshake in the shapes the JDK reports it ({@code EtcdTlsIT} shows them on a real etcd).
 */
@Tag("fast")
class EtcdProblemsTest {
    private static final String AT = "127.0.0.1:2379";

    private static StoreSettings.Etcd settings(Optional<String> user, Optional<Path> cert) {
        return new StoreSettings.Etcd(List.of(new InetSocketAddress(IpLiteral.parse("127.0.0.1").orElseThrow(), 2379)),
                "/jitsu/", "ns1", Duration.ofSeconds(5), true, Optional.of(Path.of("/etc/jitsu/ca.pem")), cert,
                cert.map(c -> Path.of("/etc/jitsu/client.key")), user, user.map(u -> "secret"),
                StoreSettings.OnUnavailable.REFUSE);
    }

    @Test
    void whatEtcdAnsweredIsNamedWithItsKeys() {
        StoreSettings.Etcd s = settings(Optional.of("jitsu"), Optional.empty());
        assertThat(EtcdProblems.answered(Status.UNAUTHENTICATED.withCause(Status.INVALID_ARGUMENT
                .withDescription("etcdserver: authentication failed, invalid user ID or password")
                .asRuntimeException()).asRuntimeException(), s))
                .contains("etcd 127.0.0.1:2379 rejected user jitsu: authentication failed, invalid user or password"
                        + " (store.etcd.user, store.etcd.password)");
        assertThat(EtcdProblems.answered(Status.INVALID_ARGUMENT.withDescription("etcdserver: user name is empty")
                .asRuntimeException(), settings(Optional.empty(), Optional.empty())))
                .contains("etcd 127.0.0.1:2379 has authentication enabled: set store.etcd.user and store.etcd.password");
        assertThat(EtcdProblems.answered(Status.PERMISSION_DENIED.withDescription("etcdserver: permission denied")
                .asRuntimeException(), s))
                .contains("etcd 127.0.0.1:2379 denied user jitsu access to the keys under /jitsu/ (grant its role"
                        + " readwrite on store.etcd.prefix /jitsu/)");
    }

    @Test
    void noAnswerAndOtherErrorsAreNotWhatEtcdSaid() {
        StoreSettings.Etcd s = settings(Optional.of("jitsu"), Optional.empty());
        assertThat(EtcdProblems.answered(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException(), s))
                .isEmpty();
        assertThat(EtcdProblems.silent(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
                .isTrue();
        assertThat(EtcdProblems.answered(new RuntimeException("permission denied"), s)).as("text alone").isEmpty();
    }

    @Test
    void anUntrustedCertificateIsToldByItsCertPathException() {
        SSLHandshakeException e = new SSLHandshakeException("PKIX path building failed");
        e.initCause(new CertificateException("PKIX path building failed",
                new CertPathBuilderException("unable to find valid certification path to requested target")));
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.empty()), AT, e))
                .startsWith("etcd's certificate at 127.0.0.1:2379 is not trusted by store.etcd.ca /etc/jitsu/ca.pem");
    }

    @Test
    void aCertificateForAnotherAddressIsTheTrustManagersIdentityCheck() {
        SSLHandshakeException e = new SSLHandshakeException("No subject alternative names matching IP address"
                + " 127.0.0.1 found");
        e.initCause(new CertificateException("No subject alternative names matching IP address 127.0.0.1 found"));
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.empty()), AT, e))
                .startsWith("etcd's certificate at 127.0.0.1:2379 is not issued for that address")
                .endsWith("; store.etcd.endpoints)");
    }

    @Test
    void aPlaintextPeerAndTheServersAlertAreToldByTheirMessage() {
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.empty()), AT,
                new SSLException("Unsupported or unrecognized SSL message")))
                .isEqualTo("etcd at 127.0.0.1:2379 does not speak TLS: leave out store.etcd.ca/cert/key or use its"
                        + " https port");
        SSLHandshakeException alert = new SSLHandshakeException("Received fatal alert: bad_certificate");
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.empty()), AT, alert))
                .startsWith("etcd at 127.0.0.1:2379 requires a client certificate: set store.etcd.cert and"
                        + " store.etcd.key");
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.of(Path.of("/etc/jitsu/client.pem"))),
                AT, alert))
                .startsWith("etcd at 127.0.0.1:2379 rejected the client certificate store.etcd.cert"
                        + " /etc/jitsu/client.pem");
    }

    @Test
    void anyOtherHandshakeFailureIsNamedAsIs() {
        assertThat(EtcdProblems.tlsProblem(settings(Optional.empty(), Optional.empty()), AT,
                new SSLHandshakeException("no cipher suites in common")))
                .isEqualTo("TLS with etcd at 127.0.0.1:2379 failed: no cipher suites in common (store.etcd.ca/cert/key)");
    }
}
