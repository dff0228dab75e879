package io.fttcp.wrappers.ssw;

import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;

/**
 * One protected packet from the stack on its way to the link: the buffer, how the link is to
 * treat it (offloads), and the header facts the wrapper decides on. The wrapper reuses one
 * instance for the packet in hand and copies it (bytes included) when it must hold the packet.
 */
final class OutgoingPacket {
    ByteBuffer buffer;
    /** Offset of the TCP header from the buffer's position. */
    int tcpOffset;
    /** IP plus TCP header length (for segmentation offload). */
    int headerLength;
    /** Payload bytes per segment when the link must cut the packet (TSO); 0 if not. */
    int segmentSize;
    /** Came through {@code acceptTcpOffloaded}: goes down the same way. */
    boolean offloaded;
    /** The checksum field holds only the pseudo-header sum: field rewrites must not adjust it. */
    boolean partialChecksum;
    int flags;
    int seq;
    int payloadLength;
    boolean hasTimestamp;
    int tsVal;
    /** Stream offset just past the bytes (and FIN) this packet carries; set for data and FIN. */
    long streamEnd;

    OutgoingPacket set(ByteBuffer buffer, int tcpOffset, int headerLength, int segmentSize, boolean offloaded,
                       boolean partialChecksum, TcpSegment seg, int payloadLength) {
        this.buffer = buffer;
        this.tcpOffset = tcpOffset;
        this.headerLength = headerLength;
        this.segmentSize = segmentSize;
        this.offloaded = offloaded;
        this.partialChecksum = partialChecksum;
        this.flags = seg.flags;
        this.seq = seg.seq;
        this.payloadLength = payloadLength;
        this.hasTimestamp = seg.hasTimestamp;
        this.tsVal = seg.tsVal;
        this.streamEnd = 0;
        return this;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    boolean isSynAck() {
        return (flags & (TcpSegment.SYN | TcpSegment.ACK)) == (TcpSegment.SYN | TcpSegment.ACK);
    }

    /** No data and no SYN, FIN or RST: an acknowledgement or window update only. */
    boolean isPureAck() {
        return payloadLength == 0 && (flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) == 0;
    }

    /** Sequence space occupied: payload, plus one each for SYN and FIN. */
    int sequenceLength() {
        return payloadLength + (has(TcpSegment.SYN) ? 1 : 0) + (has(TcpSegment.FIN) ? 1 : 0);
    }

    /** A copy that owns its bytes (position 0), to hold past the stack's call. */
    OutgoingPacket copy() {
        OutgoingPacket c = new OutgoingPacket();
        int length = buffer.remaining();
        ByteBuffer bytes = ByteBuffer.allocate(length);
        bytes.put(0, buffer, buffer.position(), length);
        c.buffer = bytes;
        c.tcpOffset = tcpOffset;
        c.headerLength = headerLength;
        c.segmentSize = segmentSize;
        c.offloaded = offloaded;
        c.partialChecksum = partialChecksum;
        c.flags = flags;
        c.seq = seq;
        c.payloadLength = payloadLength;
        c.hasTimestamp = hasTimestamp;
        c.tsVal = tsVal;
        c.streamEnd = streamEnd;
        return c;
    }
}
