package io.fttcp.stack.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable view of an ICMP message (the payload of an IPv4 packet), plus writers.
 *
 * <p>{@link #parse} accepts what a TCP host must handle (RFC 1122 §3.2.2, RFC 5927): echo
 * request and reply, destination unreachable (including fragmentation needed, with the next-hop
 * MTU), time exceeded and parameter problem. Source quench is recognised and reported as
 * {@link DropReason#ICMP_SOURCE_QUENCH_IGNORED} (RFC 6633); other types as unsupported. For
 * error messages the embedded original IPv4 header and the first 8 bytes of its transport
 * header are exposed, so the TCP layer can find the connection (addresses, ports, sequence).
 */
public final class IcmpPacket {
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    public static final int HEADER_LENGTH = 8;
    public static final int CHECKSUM_OFFSET = 2;
    /** The part of the original datagram an error must quote at least: its IP header plus 8 bytes. */
    public static final int QUOTED_TRANSPORT_BYTES = 8;

    private ByteBuffer buffer;
    private int offset;
    private int length;
    private int type;
    private int code;
    private int restOfHeader;
    private int originalOffset;
    private int originalHeaderLength;
    private int originalProtocol;
    private int originalSource;
    private int originalDestination;

    /** Parses the ICMP message carried by a parsed IPv4 packet. */
    public DropReason parse(Ipv4Packet ip) {
        return parse(ip.buffer(), ip.payloadOffset(), ip.payloadLength());
    }

    /**
     * Parses and validates the ICMP message of {@code length} bytes at {@code offset}.
     *
     * @return null if it is a valid message of a handled type, else why to drop it
     */
    public DropReason parse(ByteBuffer buf, int offset, int length) {
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        this.buffer = buf;
        this.offset = offset;
        this.length = length;
        this.type = this.code = -1;
        this.originalOffset = -1;
        if (length < HEADER_LENGTH || offset < 0 || offset > buf.limit() - length) return DropReason.ICMP_TRUNCATED;
        if (Checksum.sum(buf, offset, length) != 0xFFFF) return DropReason.ICMP_BAD_CHECKSUM;
        type = buf.get(offset) & 0xFF;
        code = buf.get(offset + 1) & 0xFF;
        restOfHeader = buf.getInt(offset + 4);
        return switch (type) {
            case TYPE_ECHO_REQUEST, TYPE_ECHO_REPLY -> null;
            case TYPE_DESTINATION_UNREACHABLE, TYPE_TIME_EXCEEDED, TYPE_PARAMETER_PROBLEM -> parseOriginal();
            case TYPE_SOURCE_QUENCH -> DropReason.ICMP_SOURCE_QUENCH_IGNORED;
            default -> DropReason.ICMP_UNSUPPORTED_TYPE;
        };
    }

    private DropReason parseOriginal() {
        int at = offset + HEADER_LENGTH;
        int available = length - HEADER_LENGTH;
        if (available < Ipv4Packet.MIN_HEADER_LENGTH + QUOTED_TRANSPORT_BYTES) return DropReason.ICMP_BAD_EMBEDDED_PACKET;
        int versionIhl = buffer.get(at) & 0xFF;
        int headerLength = (versionIhl & 0x0F) * 4;
        if (versionIhl >>> 4 != 4 || headerLength < Ipv4Packet.MIN_HEADER_LENGTH
                || headerLength + QUOTED_TRANSPORT_BYTES > available) {
            return DropReason.ICMP_BAD_EMBEDDED_PACKET;
        }
        // The quoted header's checksum is not checked: routers may have changed the TTL after it.
        originalOffset = at;
        originalHeaderLength = headerLength;
        originalProtocol = buffer.get(at + 9) & 0xFF;
        originalSource = buffer.getInt(at + 12);
        originalDestination = buffer.getInt(at + 16);
        return null;
    }

    public int type() {
        return type;
    }

    public int code() {
        return code;
    }

    public boolean isEchoRequest() {
        return type == TYPE_ECHO_REQUEST;
    }

    public boolean isEchoReply() {
        return type == TYPE_ECHO_REPLY;
    }

    /** Destination unreachable, time exceeded or parameter problem: one with a quoted original. */
    public boolean isError() {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    public boolean isFragmentationNeeded() {
        return type == TYPE_DESTINATION_UNREACHABLE && code == CODE_FRAGMENTATION_NEEDED;
    }

    /** Bytes 4..7 of the header (identifier and sequence, MTU, pointer, ... depending on type). */
    public int restOfHeader() {
        return restOfHeader;
    }

    public int echoIdentifier() {
        return restOfHeader >>> 16;
    }

    public int echoSequence() {
        return restOfHeader & 0xFFFF;
    }

    /** Offset of the echo data (or of the quoted original for errors). */
    public int dataOffset() {
        return offset + HEADER_LENGTH;
    }

    public int dataLength() {
        return length - HEADER_LENGTH;
    }

    /** For fragmentation needed: the next-hop MTU (RFC 1191), 0 if the router did not say. */
    public int nextHopMtu() {
        return restOfHeader & 0xFFFF;
    }

    /** For parameter problem: the offset of the offending octet in the original datagram. */
    public int pointer() {
        return restOfHeader >>> 24;
    }

    /** Offset of the quoted original IPv4 header in the buffer, -1 if this is not an error. */
    public int originalOffset() {
        return originalOffset;
    }

    public int originalHeaderLength() {
        return originalHeaderLength;
    }

    public int originalProtocol() {
        return originalProtocol;
    }

    public int originalSource() {
        return originalSource;
    }

    public int originalDestination() {
        return originalDestination;
    }

    /** Offset of the quoted transport header; at least 8 of its bytes are present. */
    public int originalTransportOffset() {
        if (originalOffset < 0) {
            throw new IllegalStateException("no quoted original: the last parsed ICMP message was not a valid error");
        }
        return originalOffset + originalHeaderLength;
    }

    /** Source port of a quoted TCP or UDP header. */
    public int originalSourcePort() {
        return buffer.getShort(originalTransportOffset()) & 0xFFFF;
    }

    public int originalDestinationPort() {
        return buffer.getShort(originalTransportOffset() + 2) & 0xFFFF;
    }

    /** Sequence number of a quoted TCP header, to check it lies in the send window (RFC 5927). */
    public int originalTcpSequence() {
        return buffer.getInt(originalTransportOffset() + 4);
    }

    /**
     * Turns a valid IPv4 echo request at {@code ipOffset} into its reply in place: addresses
     * swapped, TTL set, type 0; both checksums updated incrementally (RFC 1624), the data and any
     * IP options left as they are.
     */
    public static void turnEchoRequestIntoReply(ByteBuffer buf, int ipOffset, int ttl) {
        int ipHeaderLength = (buf.get(ipOffset) & 0x0F) * 4;
        int source = buf.getInt(ipOffset + 12);
        buf.putInt(ipOffset + 12, buf.getInt(ipOffset + 16));
        buf.putInt(ipOffset + 16, source); // swapping words leaves the sum unchanged
        int ttlProtocol = buf.getShort(ipOffset + 8) & 0xFFFF;
        int newTtlProtocol = (ttl & 0xFF) << 8 | (ttlProtocol & 0xFF);
        buf.putShort(ipOffset + 8, (short) newTtlProtocol);
        int ipChecksum = buf.getShort(ipOffset + Ipv4Packet.CHECKSUM_OFFSET) & 0xFFFF;
        buf.putShort(ipOffset + Ipv4Packet.CHECKSUM_OFFSET, (short) Checksum.adjust16(ipChecksum, ttlProtocol, newTtlProtocol));
        int icmp = ipOffset + ipHeaderLength;
        int typeCode = buf.getShort(icmp) & 0xFFFF;
        int newTypeCode = TYPE_ECHO_REPLY << 8 | (typeCode & 0xFF);
        buf.putShort(icmp, (short) newTypeCode);
        int icmpChecksum = buf.getShort(icmp + CHECKSUM_OFFSET) & 0xFFFF;
        buf.putShort(icmp + CHECKSUM_OFFSET, (short) Checksum.adjust16(icmpChecksum, typeCode, newTypeCode));
    }

    /**
     * Writes an echo request (or reply, by {@code type}) with the data between the position and
     * limit of {@code data} (null for none, position unchanged).
     *
     * @return the ICMP length written
     */
    public static int writeEcho(ByteBuffer out, int offset, int type, int identifier, int sequence, ByteBuffer data) {
        int dataLength = data == null ? 0 : data.remaining();
        int total = HEADER_LENGTH + dataLength;
        checkRoom(out, offset, total);
        writeHeader(out, offset, type, 0, (identifier & 0xFFFF) << 16 | (sequence & 0xFFFF));
        if (dataLength > 0) out.put(offset + HEADER_LENGTH, data, data.position(), dataLength);
        out.putShort(offset + CHECKSUM_OFFSET, (short) Checksum.compute(out, offset, total));
        return total;
    }

    /**
     * Writes an error message quoting {@code quotedLength} bytes of the original datagram (at
     * least its IP header and 8 bytes; RFC 1812 allows up to 576 bytes in total).
     *
     * @param restOfHeader bytes 4..7, e.g. the next-hop MTU for fragmentation needed
     * @return the ICMP length written
     */
    public static int writeError(ByteBuffer out, int offset, int type, int code, int restOfHeader,
                                 ByteBuffer original, int originalOffset, int quotedLength) {
        int total = HEADER_LENGTH + quotedLength;
        checkRoom(out, offset, total);
        writeHeader(out, offset, type, code, restOfHeader);
        out.put(offset + HEADER_LENGTH, original, originalOffset, quotedLength);
        out.putShort(offset + CHECKSUM_OFFSET, (short) Checksum.compute(out, offset, total));
        return total;
    }

    private static void writeHeader(ByteBuffer out, int offset, int type, int code, int restOfHeader) {
        out.put(offset, (byte) type);
        out.put(offset + 1, (byte) code);
        out.putShort(offset + CHECKSUM_OFFSET, (short) 0);
        out.putInt(offset + 4, restOfHeader);
    }

    private static void checkRoom(ByteBuffer out, int offset, int total) {
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        if (offset < 0 || offset > out.limit() - total) {
            throw new IllegalArgumentException("no room for a " + total + "-byte ICMP message at offset " + offset
                    + " in a buffer with limit " + out.limit());
        }
    }

    @Override
    public String toString() {
        return "ICMP type=" + type + " code=" + code + " len=" + length;
    }
}
