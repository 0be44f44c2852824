package org.jitsu.server.dns;

import java.io.DataInputStream;
import java.io.IOException;

/** Length-prefixed DNS messages on plain Java sockets, for tests. */
final class TcpFrames {
    private TcpFrames() {
    }

    static byte[] frame(byte[] message) {
        byte[] out = new byte[message.length + 2];
        out[0] = (byte) (message.length >>> 8);
        out[1] = (byte) message.length;
        System.arraycopy(message, 0, out, 2, message.length);
        return out;
    }

    static byte[] read(DataInputStream in) throws IOException {
        int length = in.readUnsignedShort();
        byte[] m = new byte[length];
        in.readFully(m);
        return m;
    }
}
