package org.jitsu.server.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jitsu.server.dns.authority.QueryPipeline;
import org.jitsu.settings.IpLiteral;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real {@link DnsServer} on 127.0.0.1 and ::1 (ephemeral port) before the tests of a class
 * and shuts it down after them. Register as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DnsServerExtension server = DnsServerExtension.create(zone.pipeline());
 * }</pre>
 */
final class DnsServerExtension implements BeforeAllCallback, AfterAllCallback {
    static final InetAddress V4 = IpLiteral.parse("127.0.0.1").orElseThrow();
    static final InetAddress V6 = IpLiteral.parse("::1").orElseThrow();

    private final QueryPipeline pipeline;
    private final RecordingMetrics metrics = new RecordingMetrics();
    private Supplier<Optional<ForwardSettings>> forward = Optional::empty;
    private UnaryOperator<ListenSettings> listen = UnaryOperator.identity();
    private DnsServer server;

    private DnsServerExtension(QueryPipeline pipeline) {
        this.pipeline = pipeline;
    }

    static DnsServerExtension create(QueryPipeline pipeline) {
        return new DnsServerExtension(pipeline);
    }

    /** Forwarding settings, asked for when the server starts (upstreams may start first). */
    DnsServerExtension forward(Supplier<Optional<ForwardSettings>> settings) {
        this.forward = settings;
        return this;
    }

    DnsServerExtension listen(UnaryOperator<ListenSettings> change) {
        this.listen = change;
        return this;
    }

    static ListenSettings defaults() {
        return new ListenSettings(List.of(V4, V6), 0, 2, 1 << 20, 1232, Duration.ofSeconds(10), 64, ListenSettings.DEFAULT_UDP_RECEIVE_BATCH);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = DnsServer.builder()
                .listen(listen.apply(defaults()))
                .forward(forward.get())
                .pipeline(pipeline)
                .metrics(metrics)
                .bind()
                .block(Duration.ofSeconds(10));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.shutdown().block(Duration.ofSeconds(10));
        }
    }

    DnsServer server() {
        return server;
    }

    RecordingMetrics metrics() {
        return metrics;
    }

    int port() {
        return server.udpAddresses().get(0).getPort();
    }

    InetSocketAddress udp(InetAddress address) {
        return new InetSocketAddress(address, port());
    }
}
