package io.fttcp.wrappers.ssw;

import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.stack.host.OffloadingPacketSink;
import io.fttcp.stack.packet.Checksum;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;

/**
 * What a virtio-net device does with offloaded TCP packets, in software, for tests: completes
 * partial checksums and cuts super-segments into segments of the given size (sequence numbers
 * advanced, FIN and PSH only on the last), then hands each packet to the sink behind it.
 */
final class SoftwareOffloadLink implements OffloadingPacketSink {
    private final IpPacketSink wire;
    private int nextId = 0x4000;

    SoftwareOffloadLink(IpPacketSink wire) {
        this.wire = wire;
    }

    @Override
    public void accept(ByteBuffer packet, long now) {
        wire.accept(packet, now);
    }

    @Override
    public void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now) {
        int pos = packet.position();
        int payload = packet.remaining() - headerLength;
        if (segmentSize <= 0 || payload <= segmentSize) {
            ByteBuffer p = TestPackets.copy(packet);
            // The field holds the pseudo-header sum: summing everything over it completes the checksum.
            int sum = Checksum.sum(p, tcpOffset, p.limit() - tcpOffset);
            p.putShort(tcpOffset + TcpCodec.CHECKSUM_OFFSET, (short) Checksum.finish(sum));
            wire.accept(p, now);
            return;
        }
        int flags = packet.get(pos + tcpOffset + 13) & 0xFF;
        int seq = packet.getInt(pos + tcpOffset + TcpCodec.SEQ_OFFSET);
        int source = packet.getInt(pos + 12), destination = packet.getInt(pos + 16);
        for (int off = 0; off < payload; off += segmentSize) {
            int chunk = Math.min(segmentSize, payload - off);
            boolean last = off + chunk == payload;
            ByteBuffer p = ByteBuffer.allocate(headerLength + chunk);
            p.put(0, packet, pos, headerLength);
            p.put(headerLength, packet, pos + headerLength + off, chunk);
            int tcpLength = headerLength - tcpOffset + chunk;
            Ipv4Packet.writeHeader(p, 0, tcpLength, Ipv4Packet.PROTOCOL_TCP, source, destination, nextId++ & 0xFFFF, 64);
            p.putInt(tcpOffset + TcpCodec.SEQ_OFFSET, seq + off);
            p.put(tcpOffset + 13, (byte) (last ? flags : flags & ~(TcpSegment.FIN | TcpSegment.PSH)));
            p.putShort(tcpOffset + TcpCodec.CHECKSUM_OFFSET, (short) 0);
            int pseudo = Checksum.pseudoHeaderSum(source, destination, Ipv4Packet.PROTOCOL_TCP, tcpLength);
            p.putShort(tcpOffset + TcpCodec.CHECKSUM_OFFSET,
                    (short) Checksum.finish(Checksum.add(Checksum.sum(p, tcpOffset, tcpLength), pseudo)));
            wire.accept(p, now);
        }
    }
}
