package io.fttcp.stack.tcp;

/** A TCP connection's identity from this host's point of view; IPv4 addresses as ints. */
public record FourTuple(int localAddress, int localPort, int remoteAddress, int remotePort) {
    @Override
    public String toString() {
        return dotted(localAddress) + ":" + localPort + "<->" + dotted(remoteAddress) + ":" + remotePort;
    }

    public static String dotted(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }
}
