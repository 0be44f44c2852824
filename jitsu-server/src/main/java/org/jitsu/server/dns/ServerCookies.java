package org.jitsu.server.dns;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * DNS cookies (RFC 7873) with the interoperable server cookie of RFC 9018: version 1, three reserved
 * bytes, a 32-bit timestamp and SipHash-2-4 (keyed with the secret) over the client cookie, those 8
 * bytes and the client's address. Servers sharing a secret verify each other's cookies. A server cookie
 * is valid for an hour (and up to five minutes early, for clocks apart); the one sent back is made anew
 * each time. Nothing allocated per query: the hash input is built in a per-thread scratch array.
 */
final class ServerCookies {
    private static final long VALID_SECONDS = 3600;
    private static final long EARLY_SECONDS = 300;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[32];
        }
    };

    private final long k0;
    private final long k1;
    private final LongSupplier seconds;

    /** With this 16-byte secret and clock (seconds since the epoch). */
    ServerCookies(byte[] secret, LongSupplier seconds) {
        if (secret.length != 16) {
            throw new IllegalArgumentException("a cookie secret has 16 bytes, not " + secret.length);
        }
        this.k0 = le(secret, 0);
        this.k1 = le(secret, 8);
        this.seconds = seconds;
    }

    /** With a random secret (each process its own: a cluster behind one address shares one instead). */
    static ServerCookies random(LongSupplier seconds) {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        return new ServerCookies(secret, seconds);
    }

    /** True when {@code server} (its 16 bytes as two longs, big-endian) is one we made for this client. */
    boolean valid(long clientCookie, long serverHigh, long serverLow, InetAddress client) {
        if ((serverHigh >>> 56) != 1 || ((serverHigh >>> 32) & 0xffffff) != 0) {
            return false; // version 1, reserved zero
        }
        long timestamp = serverHigh & 0xffffffffL;
        long now = seconds.getAsLong() & 0xffffffffL;
        long age = (now - timestamp) & 0xffffffffL; // serial arithmetic, RFC 1982
        boolean fresh = age <= VALID_SECONDS || ((timestamp - now) & 0xffffffffL) <= EARLY_SECONDS;
        return fresh && hash(clientCookie, serverHigh, client) == Long.reverseBytes(serverLow); // sent little-endian
    }

    /** Writes a new server cookie for this client: 16 bytes. */
    void write(ByteBuf out, long clientCookie, InetAddress client) {
        long high = (1L << 56) | (seconds.getAsLong() & 0xffffffffL);
        out.writeLong(high);
        out.writeLongLE(hash(clientCookie, high, client)); // SipHash's output bytes, as RFC 9018's vectors have them
    }

    private long hash(long clientCookie, long high, InetAddress client) {
        byte[] b = SCRATCH.get();
        be(b, 0, clientCookie);
        be(b, 8, high);
        int n;
        if (client instanceof Inet4Address) {
            int a = client.hashCode(); // Inet4Address.hashCode is the address: no copy
            b[16] = (byte) (a >>> 24);
            b[17] = (byte) (a >>> 16);
            b[18] = (byte) (a >>> 8);
            b[19] = (byte) a;
            n = 20;
        } else {
            byte[] a = client.getAddress();
            System.arraycopy(a, 0, b, 16, 16);
            n = 32;
        }
        return sipHash24(k0, k1, b, n);
    }

    /** SipHash-2-4 of {@code data[0, length)}: a 64-bit result, as RFC 9018 uses it (little-endian words). */
    static long sipHash24(long k0, long k1, byte[] data, int length) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int end = length - (length % 8);
        for (int i = 0; i < end; i += 8) {
            long m = le(data, i);
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        long last = ((long) length & 0xff) << 56;
        for (int i = 0; i < length % 8; i++) {
            last |= ((long) data[end + i] & 0xff) << (8 * i);
        }
        v3 ^= last;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long le(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xff);
        }
        return v;
    }

    private static void be(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }
}
