package io.fttcp.wrappers.nsw;

import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** Names sockets in records the way the stack does: a connection by its four-tuple, a listener with remote part 0. */
final class SocketNames {

    /** What an ACCEPT record names when a non-blocking accept() found nothing. */
    static final FourTuple NO_CONNECTION = new FourTuple(0, 0, 0, 0);

    private SocketNames() {
    }

    static FourTuple connection(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        return new FourTuple(address(local), local.getPort(), address(remote), remote.getPort());
    }

    static FourTuple listener(InetSocketAddress local) throws IOException {
        return new FourTuple(address(local), local.getPort(), 0, 0);
    }

    static int address(InetSocketAddress a) throws IOException {
        if (a.getAddress() instanceof Inet4Address v4) {
            byte[] b = v4.getAddress();
            return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }
        throw new IOException("only IPv4 sockets can be protected: " + a);
    }
}
