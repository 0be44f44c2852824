package org.jitsu.server.dns.authority;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A question as the pipeline sees it: no bytes, no buffers. The front end keeps the client's letter
 * case and message id for the reply; the pipeline works on the canonical name.
 *
 * @param name the question name, canonical
 * @param type the question type ({@link RecordType})
 * @param client who asked
 * @param transport how it came
 * @param subnet the client subnet a resolver sent for its client (EDNS Client Subnet), or null
 */
public record Query(DomainName name, int type, InetSocketAddress client, Transport transport, ClientSubnet subnet) {
    /** A query without a client subnet. */
    public Query(DomainName name, int type, InetSocketAddress client, Transport transport) {
        this(name, type, client, transport, null);
    }

    public Query {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(transport, "transport");
    }
}
