package org.jitsu.server.pipeline;

/** How a query reached the server. */
public enum Transport {
    UDP,
    TCP
}
