package io.fttcp.stack.host;

import java.nio.ByteBuffer;

/**
 * A packet sink below the stack that can finish work in the device, like virtio-net: complete a
 * TCP checksum (the field holds only the pseudo-header sum) and cut a TCP super-segment into
 * MSS-sized segments (TSO). {@link HostConfig#checksumOffload()} and
 * {@link HostConfig#segmentOffload()} are honoured only when the stack's sink is one of these.
 */
public interface OffloadingPacketSink extends IpPacketSink {
    /**
     * Sends a TCP packet with a partial checksum.
     *
     * @param tcpOffset    offset of the TCP header from the packet's position
     * @param headerLength IP plus TCP header length
     * @param segmentSize  payload bytes per segment if the packet must be segmented; 0 if not
     */
    void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now);
}
