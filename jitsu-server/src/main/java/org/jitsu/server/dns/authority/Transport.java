package org.jitsu.server.dns.authority;

/** How a query reached the server. */
public enum Transport {
    UDP,
    TCP
}
