package io.fttcp.link;

/**
 * Offload metadata travelling with one frame, mirroring Linux's virtio_net_hdr: a checksum the
 * receiver of the frame must still fill in (partial checksum) and segmentation (GSO) of a frame
 * larger than the MTU. Offsets are from the start of the frame. Mutable and reusable, so
 * passing it costs no allocation.
 *
 * <p>Sending a large TCP/IPv4 packet for the kernel to segment (tested end to end): IP total
 * length and header checksum for the whole packet; the TCP checksum field holds the folded,
 * not inverted, pseudo-header sum over the whole TCP length; then
 * {@code set(FLAG_NEEDS_CSUM, GSO_TCPV4, ipHeader + tcpHeader, mss, ipHeader, 16)} with offsets
 * from the IP header when sending through {@code EthernetInterface.send} (it adds the 14
 * Ethernet bytes). A single partial-checksum packet is the same with {@code GSO_NONE}.
 */
public final class FrameOffload {
    /** The checksum at checksumStart+checksumOffset holds only the pseudo-header sum. */
    public static final int FLAG_NEEDS_CSUM = 1;
    /** The checksum was already verified (receive only). */
    public static final int FLAG_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_ECN = 0x80;

    private int flags;
    private int gsoType;
    private int headerLength;
    private int gsoSize;
    private int checksumStart;
    private int checksumOffset;

    public FrameOffload clear() {
        flags = 0;
        gsoType = GSO_NONE;
        headerLength = 0;
        gsoSize = 0;
        checksumStart = 0;
        checksumOffset = 0;
        return this;
    }

    public FrameOffload set(int flags, int gsoType, int headerLength, int gsoSize, int checksumStart, int checksumOffset) {
        this.flags = flags;
        this.gsoType = gsoType;
        this.headerLength = headerLength;
        this.gsoSize = gsoSize;
        this.checksumStart = checksumStart;
        this.checksumOffset = checksumOffset;
        return this;
    }

    public FrameOffload copyFrom(FrameOffload other) {
        return set(other.flags, other.gsoType, other.headerLength, other.gsoSize, other.checksumStart, other.checksumOffset);
    }

    /** Moves the offsets by {@code delta} bytes, e.g. +14 when an Ethernet header is prepended. */
    public FrameOffload shift(int delta) {
        if (headerLength != 0) {
            headerLength += delta;
        }
        if ((flags & FLAG_NEEDS_CSUM) != 0) {
            checksumStart += delta;
        }
        return this;
    }

    /** No partial checksum and no segmentation: an ordinary frame. */
    public boolean isPlain() {
        return (flags & FLAG_NEEDS_CSUM) == 0 && gsoType == GSO_NONE;
    }

    public boolean needsChecksum() {
        return (flags & FLAG_NEEDS_CSUM) != 0;
    }

    /** The receiver need not verify the checksum: it is partial (local sender) or was verified. */
    public boolean checksumTrusted() {
        return (flags & (FLAG_NEEDS_CSUM | FLAG_DATA_VALID)) != 0;
    }

    public int flags() {
        return flags;
    }

    public int gsoType() {
        return gsoType;
    }

    public int headerLength() {
        return headerLength;
    }

    public int gsoSize() {
        return gsoSize;
    }

    public int checksumStart() {
        return checksumStart;
    }

    public int checksumOffset() {
        return checksumOffset;
    }

    @Override
    public String toString() {
        return "FrameOffload[flags=" + flags + ", gsoType=" + gsoType + ", headerLength=" + headerLength
                + ", gsoSize=" + gsoSize + ", checksumStart=" + checksumStart + ", checksumOffset=" + checksumOffset + "]";
    }
}
