package io.fttcp.roles.sim;

import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.packet.Checksum;
import io.fttcp.stack.packet.Ipv4Packet;

import java.nio.ByteBuffer;

/**
 * Keeps the backup's ARP cache warm for the clients of protected connections: when a CONNECT
 * names a client the backup cannot reach yet, it sends that client an ICMP echo request from its
 * own address, which makes its Ethernet interface resolve the client now. Without it, the
 * backup's first segments after takeover wait in the ARP queue (only a few are kept), and if
 * resolution takes rounds, the client's echoes of their timestamps make the restored connection
 * measure that wait as round-trip time: a retransmission timer of seconds, for the rest of the
 * transfer. (A real backup would also refresh entries before they expire.)
 */
final class WarmNeighbours {
    private static final int ICMP = 1, ECHO_REQUEST = 8, ICMP_HEADER = 8;

    private final SimStackHost host;
    private final int ownAddress;
    private int id;

    WarmNeighbours(SimStackHost host, int ownAddress) {
        this.host = host;
        this.ownAddress = ownAddress;
    }

    /** A client the backup may have to talk to after takeover. */
    void know(int client) {
        if (host.ethernet().cachedMac(client, host.now()) != null) return;
        ByteBuffer packet = ByteBuffer.allocate(Ipv4Packet.MIN_HEADER_LENGTH + ICMP_HEADER);
        Ipv4Packet.writeHeader(packet, 0, ICMP_HEADER, ICMP, ownAddress, client, id++, 64);
        int icmp = Ipv4Packet.MIN_HEADER_LENGTH;
        packet.put(icmp, (byte) ECHO_REQUEST);
        packet.putShort(icmp + 4, (short) 0xFA11);
        packet.putShort(icmp + 6, (short) id);
        packet.putShort(icmp + 2, (short) Checksum.compute(packet, icmp, ICMP_HEADER));
        host.call(() -> host.ethernet().accept(packet, host.now()));
    }
}
