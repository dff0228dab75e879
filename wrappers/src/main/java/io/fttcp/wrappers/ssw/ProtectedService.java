package io.fttcp.wrappers.ssw;

import io.fttcp.stack.tcp.FourTuple;

import java.util.BitSet;

/**
 * The traffic the south-side wrapper protects: TCP to one service address on a set of ports.
 * Everything else passes the wrapper untouched.
 */
public final class ProtectedService {
    private final int address;
    private final BitSet ports = new BitSet(65536);

    public ProtectedService(int address, int... ports) {
        if (ports.length == 0) throw new IllegalArgumentException("a protected service needs at least one port");
        this.address = address;
        for (int p : ports) {
            if (p <= 0 || p > 65535) throw new IllegalArgumentException("port out of range 1..65535: " + p);
            this.ports.set(p);
        }
    }

    public int address() {
        return address;
    }

    public boolean coversPort(int port) {
        return ports.get(port);
    }

    /** True for a TCP endpoint of the service (our side of a protected connection). */
    public boolean covers(int address, int port) {
        return address == this.address && ports.get(port);
    }

    @Override
    public String toString() {
        return FourTuple.dotted(address) + " ports " + ports;
    }
}
