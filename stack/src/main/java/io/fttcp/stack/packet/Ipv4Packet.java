package io.fttcp.stack.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable view of an IPv4 packet in a buffer, plus a header writer. {@link #parse} validates
 * and caches the header fields; the accessors are valid until the next parse. Options are
 * skipped (their bytes are covered by the header length), fragments are reported so the caller
 * can count and drop them (this stack never sends more than the path MTU, with DF set).
 */
public final class Ipv4Packet {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    /** Offset of the header checksum within the header. */
    public static final int CHECKSUM_OFFSET = 10;

    private static final int FLAG_DONT_FRAGMENT = 0x4000;
    private static final int FLAG_MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private ByteBuffer buffer;
    private int offset;
    private int headerLength;
    private int totalLength;
    private int tos;
    private int id;
    private int flagsAndFragmentOffset;
    private int ttl;
    private int protocol;
    private int source;
    private int destination;

    /** Parses the packet between the buffer's position and limit; see {@link #parse(ByteBuffer, int, int)}. */
    public DropReason parse(ByteBuffer buf) {
        return parse(buf, buf.position(), buf.remaining());
    }

    /**
     * Parses and validates the IPv4 packet at {@code offset}, with {@code available} bytes
     * readable there (bytes beyond the total length, e.g. Ethernet padding, are ignored).
     *
     * @return null if the packet is valid and not a fragment, else why to drop it. For
     *     {@link DropReason#IPV4_FRAGMENT} the header fields are still available.
     */
    public DropReason parse(ByteBuffer buf, int offset, int available) {
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        this.buffer = buf;
        this.offset = offset;
        if (available < MIN_HEADER_LENGTH || offset < 0 || offset > buf.limit() - MIN_HEADER_LENGTH) {
            return DropReason.IPV4_TRUNCATED;
        }
        available = Math.min(available, buf.limit() - offset);
        int versionIhl = buf.get(offset) & 0xFF;
        if (versionIhl >>> 4 != 4) return DropReason.IPV4_BAD_VERSION;
        headerLength = (versionIhl & 0x0F) * 4;
        if (headerLength < MIN_HEADER_LENGTH) return DropReason.IPV4_BAD_HEADER_LENGTH;
        if (headerLength > available) return DropReason.IPV4_TRUNCATED;
        totalLength = buf.getShort(offset + 2) & 0xFFFF;
        if (totalLength < headerLength || totalLength > available) return DropReason.IPV4_BAD_TOTAL_LENGTH;
        if (Checksum.sum(buf, offset, headerLength) != 0xFFFF) return DropReason.IPV4_BAD_CHECKSUM;
        tos = buf.get(offset + 1) & 0xFF;
        id = buf.getShort(offset + 4) & 0xFFFF;
        flagsAndFragmentOffset = buf.getShort(offset + 6) & 0xFFFF;
        ttl = buf.get(offset + 8) & 0xFF;
        protocol = buf.get(offset + 9) & 0xFF;
        source = buf.getInt(offset + 12);
        destination = buf.getInt(offset + 16);
        if (isFragment()) return DropReason.IPV4_FRAGMENT;
        return null;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Offset of the IP header in {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    public int headerLength() {
        return headerLength;
    }

    public int totalLength() {
        return totalLength;
    }

    public int tos() {
        return tos;
    }

    public int id() {
        return id;
    }

    public int ttl() {
        return ttl;
    }

    public int protocol() {
        return protocol;
    }

    public int source() {
        return source;
    }

    public int destination() {
        return destination;
    }

    public boolean dontFragment() {
        return (flagsAndFragmentOffset & FLAG_DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (flagsAndFragmentOffset & FLAG_MORE_FRAGMENTS) != 0;
    }

    /** Fragment offset in bytes. */
    public int fragmentOffset() {
        return (flagsAndFragmentOffset & FRAGMENT_OFFSET_MASK) * 8;
    }

    public boolean isFragment() {
        return (flagsAndFragmentOffset & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** Offset of the transport header (after options) in {@link #buffer()}. */
    public int payloadOffset() {
        return offset + headerLength;
    }

    public int payloadLength() {
        return totalLength - headerLength;
    }

    /**
     * Writes a 20-byte IPv4 header (no options, DF set, TOS 0) at {@code offset} and its checksum.
     *
     * @return the header length, 20
     */
    public static int writeHeader(ByteBuffer buf, int offset, int payloadLength, int protocol,
                                  int source, int destination, int id, int ttl) {
        int total = MIN_HEADER_LENGTH + payloadLength;
        if (payloadLength < 0 || total > 0xFFFF) {
            throw new IllegalArgumentException("IPv4 payload length " + payloadLength + " outside 0..65515");
        }
        if (offset < 0 || offset > buf.limit() - MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("no room for a 20-byte IPv4 header at offset " + offset
                    + " in a buffer with limit " + buf.limit());
        }
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        buf.putShort(offset, (short) 0x4500);
        buf.putShort(offset + 2, (short) total);
        buf.putShort(offset + 4, (short) id);
        buf.putShort(offset + 6, (short) FLAG_DONT_FRAGMENT);
        buf.put(offset + 8, (byte) ttl);
        buf.put(offset + 9, (byte) protocol);
        buf.putShort(offset + CHECKSUM_OFFSET, (short) 0);
        buf.putInt(offset + 12, source);
        buf.putInt(offset + 16, destination);
        buf.putShort(offset + CHECKSUM_OFFSET, (short) Checksum.compute(buf, offset, MIN_HEADER_LENGTH));
        return MIN_HEADER_LENGTH;
    }

    /** Dotted-quad text of an address held in an int, for logs and messages. */
    public static String addressToString(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    @Override
    public String toString() {
        return "IPv4 " + addressToString(source) + " > " + addressToString(destination) + " proto=" + protocol
                + " len=" + totalLength + " hl=" + headerLength + " id=" + id + " ttl=" + ttl
                + (isFragment() ? " frag" : "");
    }
}
