/**
 * Netty transports shared by the server's two network front ends, the DNS listeners
 * ({@code org.jitsu.server.dns}) and the connection-holding front ({@code org.jitsu.server.proxy}):
 * epoll where it is available, else NIO. Names nothing else of ours.
 */
package org.jitsu.server.net;
