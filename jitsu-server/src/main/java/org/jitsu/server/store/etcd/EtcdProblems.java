package org.jitsu.server.store.etcd;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.jitsu.server.config.StoreSettings;

/**
 * Turns a failed etcd call into one line that names the problem and the {@code store.etcd} key to
 * look at. jetcd reports what etcd answered (told by its gRPC code, {@link EtcdErrors}), but retries a
 * failed TLS handshake or a refused connection until the call's bound without saying why: then
 * {@link #probe} connects to each endpoint itself (TCP, then a TLS handshake with the configured CA and
 * client certificate) and reports what went wrong, told by the JDK's exception types where it has them
 * ({@link #tlsProblem}). Blocking: call {@link #probe} on the store's scheduler only.
 */
final class EtcdProblems {
    private static final int PROBE_TIMEOUT_MS = 2000;
    /** How long the probe listens for the server's verdict on the client certificate before it writes. */
    private static final int VERDICT_MS = 500;

    private EtcdProblems() {
    }

    /** An etcd call failed for the reason in the message (no cause: the message is the whole story). */
    static final class EtcdProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EtcdProblem(String message, Throwable original) {
            super(message, null, false, false);
            addSuppressed(original);
        }
    }

    /** What etcd itself said, when it answered: a rejected user or password, a denied key. */
    static Optional<String> answered(Throwable error, StoreSettings.Etcd s) {
        String user = s.user().orElse("(none)");
        return EtcdErrors.known(error).flatMap(known -> switch (known) {
            case AUTHENTICATION_FAILED -> Optional.of("etcd " + endpoints(s) + " rejected user " + user
                    + ": authentication failed, invalid user or password (store.etcd.user, store.etcd.password)");
            case USER_EMPTY, USER_NOT_FOUND -> Optional.of("etcd " + endpoints(s) + " has authentication enabled:"
                    + " set store.etcd.user and store.etcd.password");
            case PERMISSION_DENIED -> Optional.of("etcd " + endpoints(s) + " denied user " + user
                    + " access to the keys under " + s.prefix() + " (grant its role readwrite on store.etcd.prefix "
                    + s.prefix() + ")");
            case LEASE_NOT_FOUND -> Optional.empty();
        });
    }

    /** Whether the call failed without etcd saying why (bound reached, unavailable). */
    static boolean silent(Throwable error) {
        return EtcdErrors.unanswered(error);
    }

    /** Connects to each endpoint as jetcd would; the first problem found, or empty when one endpoint works. */
    static Optional<String> probe(StoreSettings.Etcd s) {
        Optional<String> first = Optional.empty();
        for (InetSocketAddress a : s.endpoints()) {
            Optional<String> problem = probe(s, a);
            if (problem.isEmpty()) {
                return Optional.empty();
            }
            first = first.or(() -> problem);
        }
        return first;
    }

    private static Optional<String> probe(StoreSettings.Etcd s, InetSocketAddress a) {
        String at = format(a);
        try (Socket tcp = new Socket()) {
            try {
                tcp.connect(a, PROBE_TIMEOUT_MS);
            } catch (ConnectException e) {
                return Optional.of("etcd unreachable at " + at + ": connection refused (store.etcd.endpoints)");
            } catch (IOException e) {
                return Optional.of("etcd unreachable at " + at + ": " + e.getMessage() + " (store.etcd.endpoints)");
            }
            if (!tls(s)) {
                return Optional.empty();
            }
            return handshake(s, a, tcp);
        } catch (IOException e) {
            return Optional.of("etcd at " + at + ": " + e.getMessage());
        }
    }

    private static Optional<String> handshake(StoreSettings.Etcd s, InetSocketAddress a, Socket tcp) throws IOException {
        String at = format(a);
        SSLSocket ssl;
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            s.ca().ifPresent(ca -> b.trustManager(ca.toFile()));
            if (s.cert().isPresent() && s.key().isPresent()) {
                b.keyManager(s.cert().get().toFile(), s.key().get().toFile());
            }
            SslContext ctx = b.build();
            ssl = (SSLSocket) ((JdkSslContext) ctx).context().getSocketFactory()
                    .createSocket(tcp, a.getAddress().getHostAddress(), a.getPort(), false);
        } catch (SSLException | RuntimeException e) {
            return Optional.of("cannot use the TLS files of store.etcd.ca/cert/key: " + e.getMessage());
        }
        try (SSLSocket socket = ssl) {
            SSLParameters p = socket.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the address must be in the certificate, as for gRPC
            socket.setSSLParameters(p);
            socket.setSoTimeout(PROBE_TIMEOUT_MS);
            socket.startHandshake();
            // with TLS 1.3 the server checks the client certificate after the client's handshake ends: its
            // verdict (an alert) arrives with the first read. Listen for it before writing: a server that
            // rejects the certificate closes the connection, and a write that comes after that fails
            // ("Broken pipe") and closes the socket with the alert unread
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(VERDICT_MS);
            try {
                in.read();
                return Optional.empty();
            } catch (SocketTimeoutException quiet) {
                // no verdict yet, the socket stays usable (a timeout does not close it): ask for an answer
            }
            socket.setSoTimeout(PROBE_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.read();
            return Optional.empty();
        } catch (SocketTimeoutException e) {
            return Optional.empty(); // the handshake went through and the server waits for more
        } catch (SSLException e) {
            return Optional.of(tlsProblem(s, at, e));
        } catch (IOException e) {
            return Optional.of(s.cert().isPresent() ? "etcd at " + at + " closed the TLS connection (" + e.getMessage()
                    + "): does it accept the client certificate store.etcd.cert " + s.cert().get() + "?"
                    : "etcd at " + at + " closed the TLS connection (" + e.getMessage() + "): it may require a"
                    + " client certificate (store.etcd.cert, store.etcd.key)");
        }
    }

    /**
     * The failed handshake as one line. The JDK tells two cases by type: a certificate path that does not
     * lead to a trusted CA ({@link CertPathBuilderException}, {@link CertPathValidatorException} in the
     * cause chain), and a certificate the trust manager refused otherwise ({@link CertificateException}).
     * Three it tells only in the message, so the text is read there: a certificate not issued for the
     * address (the identity check throws a plain {@code CertificateException}), a peer that does not speak
     * TLS (a plain {@link SSLException}), and the server's alert (a plain {@code SSLHandshakeException}:
     * the JDK has no type or accessor for a received alert).
     */
    static String tlsProblem(StoreSettings.Etcd s, String at, SSLException e) {
        String messages = messages(e);
        String m = messages.toLowerCase(Locale.ROOT);
        if (causedBy(e, CertPathBuilderException.class) || causedBy(e, CertPathValidatorException.class)) {
            return "etcd's certificate at " + at + " is not trusted by store.etcd.ca "
                    + s.ca().map(Object::toString).orElse("(none: the JVM's CAs)") + " (" + first(messages) + ")";
        }
        if (causedBy(e, CertificateException.class)
                && (m.contains("subject alternative") || m.contains("no name matching"))) {
            return "etcd's certificate at " + at + " is not issued for that address (" + first(messages)
                    + "; store.etcd.endpoints)";
        }
        if (m.contains("unrecognized ssl message") || m.contains("plaintext")) {
            return "etcd at " + at + " does not speak TLS: leave out store.etcd.ca/cert/key or use its https port";
        }
        if (m.contains("alert") || m.contains("certificate_required") || m.contains("bad_certificate")
                || m.contains("unknown_ca")) {
            return s.cert().isEmpty()
                    ? "etcd at " + at + " requires a client certificate: set store.etcd.cert and store.etcd.key ("
                    + first(messages) + ")"
                    : "etcd at " + at + " rejected the client certificate store.etcd.cert " + s.cert().get() + " ("
                    + first(messages) + ")";
        }
        return "TLS with etcd at " + at + " failed: " + first(messages) + " (store.etcd.ca/cert/key)";
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static boolean tls(StoreSettings.Etcd s) {
        return s.tls() || s.cert().isPresent();
    }

    private static String messages(Throwable error) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null) {
                b.append(b.length() == 0 ? "" : " | ").append(t.getMessage());
            }
        }
        return b.toString();
    }

    private static String first(String messages) {
        int bar = messages.indexOf(" | ");
        return bar < 0 ? messages : messages.substring(0, bar);
    }

    static String endpoints(StoreSettings.Etcd s) {
        StringBuilder b = new StringBuilder();
        for (InetSocketAddress a : s.endpoints()) {
            b.append(b.length() == 0 ? "" : ",").append(format(a));
        }
        return b.toString();
    }

    static String format(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
