package org.jitsu.server.proxy;

/**
 * What the front reports. Gauges and byte counts are read from the {@link ConnectionBook} by whoever
 * binds it; these calls are the events, made on the front's event loops (never on the warm path of a
 * spliced byte).
 */
public interface ProxyMetrics {
    /** Records nothing. */
    ProxyMetrics NONE = new ProxyMetrics() {
        @Override
        public void held(String service, long waitNanos, long connectNanos, long firstByteNanos) {
        }

        @Override
        public void reset(String service, String reason) {
        }
    };

    /** Why a connection was reset (or answered 503): the label values. */
    String BOOT_FAILED = "boot-failed";
    String LIMIT = "limit";
    String CONNECT_FAILED = "connect-failed";
    String DRAINED = "drain";
    String UNKNOWN_SERVICE = "unknown-service";

    /**
     * A held connection got its first byte from the service: the phases of its cold start, accept to
     * ready ({@code waitNanos}), ready to connected to the service, connected to the first byte back.
     */
    void held(String service, long waitNanos, long connectNanos, long firstByteNanos);

    /** A connection was reset, or for an HTTP port answered 503, for {@code reason}. */
    void reset(String service, String reason);
}
