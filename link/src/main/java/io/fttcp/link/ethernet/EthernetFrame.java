package io.fttcp.link.ethernet;

import java.nio.ByteBuffer;

/**
 * A reusable view of an Ethernet II frame (no FCS, no VLAN tag handling) over a buffer's
 * position..limit, plus a header writer. Wrapping allocates nothing; the view is valid as long
 * as the buffer's content is.
 */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_IPV6 = 0x86dd;

    private ByteBuffer buf;
    private int start;
    private int length;

    /** Views position..limit of {@code frame}; false (view unusable) if shorter than a header. */
    public boolean wrap(ByteBuffer frame) {
        int len = frame.remaining();
        if (len < HEADER_LENGTH) {
            this.buf = null;
            return false;
        }
        this.buf = frame;
        this.start = frame.position();
        this.length = len;
        return true;
    }

    public long destination() {
        return MacAddress.read(buf, start);
    }

    public long source() {
        return MacAddress.read(buf, start + 6);
    }

    /** The EtherType; values below 0x0600 are IEEE 802.3 lengths, not types. */
    public int etherType() {
        return NetworkOrder.u16(buf, start + 12);
    }

    /** Absolute index of the first payload byte. */
    public int payloadIndex() {
        return start + HEADER_LENGTH;
    }

    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    /** Writes a header at absolute {@code index}; returns the payload's index. */
    public static int writeHeader(ByteBuffer buf, int index, long destination, long source, int etherType) {
        MacAddress.write(buf, index, destination);
        MacAddress.write(buf, index + 6, source);
        NetworkOrder.putU16(buf, index + 12, etherType);
        return index + HEADER_LENGTH;
    }
}
