package io.fttcp.stack.packet;

import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Parses TCP headers into a reused {@link TcpSegment} and writes segments to buffers.
 *
 * <p>One instance per receiving thread: it keeps a single duplicate of the receive buffer as
 * the payload view handed out in {@link TcpSegment#payload} (re-pointed with position/limit per
 * packet; a new duplicate is made only when a different buffer comes in). The view, like the
 * segment, is valid only until the next parse.
 */
public final class TcpCodec {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int WINDOW_OFFSET = 14;
    /**
     * Offset of the checksum field within the TCP header: the {@code csum_offset} to give a
     * checksum-offloading device; {@code csum_start} is the offset of the TCP header.
     */
    public static final int CHECKSUM_OFFSET = 16;

    static final int OPT_EOL = 0, OPT_NOP = 1, OPT_MSS = 2, OPT_WINDOW_SCALE = 3, OPT_SACK_PERMITTED = 4,
            OPT_SACK = 5, OPT_TIMESTAMPS = 8;

    private ByteBuffer viewSource;
    private ByteBuffer payloadView;
    private int sourcePort;
    private int destinationPort;
    private int headerLength;
    private int payloadOffset;
    private int payloadLength;

    /** Parses the TCP segment carried by a parsed IPv4 packet. */
    public DropReason parse(Ipv4Packet ip, boolean checksumVerified, TcpSegment into) {
        return parse(ip.buffer(), ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination(),
                checksumVerified, into);
    }

    /**
     * Parses and validates the TCP segment of {@code length} bytes at {@code offset} into
     * {@code into} (cleared first). Ports are available from {@link #sourcePort()} and
     * {@link #destinationPort()} afterwards.
     *
     * @param checksumVerified true if the link already verified the checksum (offload), so it is
     *     not recomputed
     * @return null if the segment is valid, else why to drop it (then {@code into} is partially
     *     filled and must not be used)
     */
    public DropReason parse(ByteBuffer buf, int offset, int length, int sourceIp, int destinationIp,
                            boolean checksumVerified, TcpSegment into) {
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        into.clear();
        if (length < MIN_HEADER_LENGTH || offset < 0 || offset > buf.limit() - length) {
            return DropReason.TCP_TRUNCATED;
        }
        int dataOffset = (buf.get(offset + 12) & 0xFF) >>> 4;
        if (dataOffset < 5) return DropReason.TCP_BAD_DATA_OFFSET;
        headerLength = dataOffset * 4;
        if (headerLength > length) return DropReason.TCP_TRUNCATED;
        if (!checksumVerified) {
            int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, Ipv4Packet.PROTOCOL_TCP, length);
            if (!Checksum.verifies(buf, offset, length, pseudo)) return DropReason.TCP_BAD_CHECKSUM;
        }
        sourcePort = buf.getShort(offset) & 0xFFFF;
        destinationPort = buf.getShort(offset + 2) & 0xFFFF;
        into.seq = buf.getInt(offset + SEQ_OFFSET);
        into.ack = buf.getInt(offset + ACK_OFFSET);
        into.flags = buf.get(offset + 13) & 0xFF;
        into.window = buf.getShort(offset + WINDOW_OFFSET) & 0xFFFF;
        DropReason optionProblem = parseOptions(buf, offset + MIN_HEADER_LENGTH, offset + headerLength, into);
        if (optionProblem != null) return optionProblem;
        payloadOffset = offset + headerLength;
        payloadLength = length - headerLength;
        into.payload = payloadLength == 0 ? null : payloadView(buf, payloadOffset, payloadLength);
        return null;
    }

    private ByteBuffer payloadView(ByteBuffer buf, int start, int len) {
        if (buf != viewSource) {
            viewSource = buf;
            payloadView = buf.duplicate();
        }
        payloadView.limit(start + len).position(start);
        return payloadView;
    }

    private static DropReason parseOptions(ByteBuffer buf, int i, int end, TcpSegment into) {
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == OPT_EOL) break;
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) return DropReason.TCP_OPTION_OVERRUNS_HEADER;
            int len = buf.get(i + 1) & 0xFF;
            if (len < 2) return DropReason.TCP_OPTION_TOO_SHORT;
            if (len > end - i) return DropReason.TCP_OPTION_OVERRUNS_HEADER;
            switch (kind) {
                case OPT_MSS -> {
                    if (len != 4) return DropReason.TCP_OPTION_BAD_LENGTH;
                    into.mss = buf.getShort(i + 2) & 0xFFFF;
                }
                case OPT_WINDOW_SCALE -> {
                    if (len != 3) return DropReason.TCP_OPTION_BAD_LENGTH;
                    // Raw shift count; RFC 7323 says treat values above 14 as 14, the TCP core clamps.
                    into.windowScale = buf.get(i + 2) & 0xFF;
                }
                case OPT_SACK_PERMITTED -> {
                    if (len != 2) return DropReason.TCP_OPTION_BAD_LENGTH;
                    into.sackPermitted = true;
                }
                case OPT_SACK -> {
                    int blocks = (len - 2) / 8;
                    if ((len - 2) % 8 != 0 || blocks < 1 || blocks > TcpSegment.MAX_SACK_BLOCKS) {
                        return DropReason.TCP_OPTION_BAD_LENGTH;
                    }
                    for (int b = 0; b < blocks; b++) {
                        into.sackLeft[b] = buf.getInt(i + 2 + 8 * b);
                        into.sackRight[b] = buf.getInt(i + 6 + 8 * b);
                    }
                    into.sackBlockCount = blocks;
                }
                case OPT_TIMESTAMPS -> {
                    if (len != 10) return DropReason.TCP_OPTION_BAD_LENGTH;
                    into.hasTimestamp = true;
                    into.tsVal = buf.getInt(i + 2);
                    into.tsEcr = buf.getInt(i + 6);
                }
                default -> {
                    // Unknown option: skipped by its length (RFC 9293 §3.1).
                }
            }
            i += len;
        }
        return null;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public int headerLength() {
        return headerLength;
    }

    /** Offset of the payload in the parsed buffer. */
    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /**
     * The TCP header length {@link #write} produces for a segment: 20 plus options, padded to
     * 4 bytes. On SYNs: MSS, SACK-permitted, timestamps, window scale; otherwise: timestamps
     * and as many SACK blocks as fit.
     */
    public static int headerLength(TcpSegment seg) {
        return MIN_HEADER_LENGTH + optionsLength(seg);
    }

    private static int optionsLength(TcpSegment seg) {
        int len = 0;
        if (seg.has(TcpSegment.SYN)) {
            if (seg.mss >= 0) len += 4;
            if (seg.hasTimestamp) len += 12;
            else if (seg.sackPermitted) len += 4;
            if (seg.windowScale >= 0) len += 4;
        } else {
            if (seg.hasTimestamp) len += 12;
            int blocks = sackBlocksThatFit(seg, len);
            if (blocks > 0) len += 4 + 8 * blocks;
        }
        return len;
    }

    private static int sackBlocksThatFit(TcpSegment seg, int usedOptionBytes) {
        int room = (MAX_HEADER_LENGTH - MIN_HEADER_LENGTH - usedOptionBytes - 4) / 8;
        return Math.max(0, Math.min(Math.min(seg.sackBlockCount, TcpSegment.MAX_SACK_BLOCKS), room));
    }

    /**
     * Writes {@code seg} (header, options, payload copied from {@code seg.payload} without
     * moving its position) at {@code offset}, with a full checksum.
     *
     * @return the TCP length written (header plus payload)
     */
    public static int write(TcpSegment seg, int sourcePort, int destinationPort, int sourceIp, int destinationIp,
                            ByteBuffer out, int offset) {
        return write(seg, sourcePort, destinationPort, sourceIp, destinationIp, out, offset, false);
    }

    /**
     * Like {@link #write(TcpSegment, int, int, int, int, ByteBuffer, int)}; with
     * {@code partialChecksum} the checksum field holds only the (uncomplemented) pseudo-header
     * sum, for a device that completes it (virtio-net {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} with
     * {@code csum_start} = {@code offset} - frame start and {@code csum_offset} =
     * {@link #CHECKSUM_OFFSET}). Incremental rewrites ({@link #rewriteAck}) are then not valid.
     */
    public static int write(TcpSegment seg, int sourcePort, int destinationPort, int sourceIp, int destinationIp,
                            ByteBuffer out, int offset, boolean partialChecksum) {
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("packet buffers must be big-endian (network byte order)");
        }
        int headerLength = headerLength(seg);
        int payloadLength = seg.payloadLength();
        int total = headerLength + payloadLength;
        if (offset < 0 || offset > out.limit() - total) {
            throw new IllegalArgumentException("no room for a " + total + "-byte TCP segment at offset " + offset
                    + " in a buffer with limit " + out.limit());
        }
        out.putShort(offset, (short) sourcePort);
        out.putShort(offset + 2, (short) destinationPort);
        out.putInt(offset + SEQ_OFFSET, seg.seq);
        out.putInt(offset + ACK_OFFSET, seg.ack);
        out.put(offset + 12, (byte) ((headerLength / 4) << 4));
        out.put(offset + 13, (byte) seg.flags);
        out.putShort(offset + WINDOW_OFFSET, (short) seg.window);
        out.putShort(offset + CHECKSUM_OFFSET, (short) 0);
        out.putShort(offset + 18, (short) 0); // urgent pointer: never used by this stack
        writeOptions(seg, out, offset + MIN_HEADER_LENGTH);
        if (payloadLength > 0) {
            ByteBuffer p = seg.payload;
            out.put(offset + headerLength, p, p.position(), payloadLength);
        }
        int pseudo = Checksum.pseudoHeaderSum(sourceIp, destinationIp, Ipv4Packet.PROTOCOL_TCP, total);
        int field = partialChecksum ? pseudo : Checksum.finish(Checksum.add(Checksum.sum(out, offset, total), pseudo));
        out.putShort(offset + CHECKSUM_OFFSET, (short) field);
        return total;
    }

    private static void writeOptions(TcpSegment seg, ByteBuffer out, int i) {
        if (seg.has(TcpSegment.SYN)) {
            if (seg.mss >= 0) {
                out.putInt(i, OPT_MSS << 24 | 4 << 16 | (seg.mss & 0xFFFF));
                i += 4;
            }
            if (seg.hasTimestamp) {
                // Linux packs SACK-permitted into the two bytes the timestamp option would pad.
                int prefix = seg.sackPermitted ? OPT_SACK_PERMITTED << 8 | 2 : OPT_NOP << 8 | OPT_NOP;
                out.putInt(i, prefix << 16 | OPT_TIMESTAMPS << 8 | 10);
                out.putInt(i + 4, seg.tsVal);
                out.putInt(i + 8, seg.tsEcr);
                i += 12;
            } else if (seg.sackPermitted) {
                out.putInt(i, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK_PERMITTED << 8 | 2);
                i += 4;
            }
            if (seg.windowScale >= 0) {
                out.putInt(i, OPT_NOP << 24 | OPT_WINDOW_SCALE << 16 | 3 << 8 | (seg.windowScale & 0xFF));
            }
        } else {
            int used = 0;
            if (seg.hasTimestamp) {
                out.putInt(i, OPT_NOP << 24 | OPT_NOP << 16 | OPT_TIMESTAMPS << 8 | 10);
                out.putInt(i + 4, seg.tsVal);
                out.putInt(i + 8, seg.tsEcr);
                i += 12;
                used = 12;
            }
            int blocks = sackBlocksThatFit(seg, used);
            if (blocks > 0) {
                out.putInt(i, OPT_NOP << 24 | OPT_NOP << 16 | OPT_SACK << 8 | (2 + 8 * blocks));
                i += 4;
                for (int b = 0; b < blocks; b++) {
                    out.putInt(i, seg.sackLeft[b]);
                    out.putInt(i + 4, seg.sackRight[b]);
                    i += 8;
                }
            }
        }
    }

    /** Replaces the acknowledgment number in place, updating the checksum incrementally (RFC 1624). */
    public static void rewriteAck(ByteBuffer buf, int tcpOffset, int newAck) {
        int old = buf.getInt(tcpOffset + ACK_OFFSET);
        buf.putInt(tcpOffset + ACK_OFFSET, newAck);
        int checksum = buf.getShort(tcpOffset + CHECKSUM_OFFSET) & 0xFFFF;
        buf.putShort(tcpOffset + CHECKSUM_OFFSET, (short) Checksum.adjust32(checksum, old, newAck));
    }

    /** Replaces the sequence number in place, updating the checksum incrementally (RFC 1624). */
    public static void rewriteSeq(ByteBuffer buf, int tcpOffset, int newSeq) {
        int old = buf.getInt(tcpOffset + SEQ_OFFSET);
        buf.putInt(tcpOffset + SEQ_OFFSET, newSeq);
        int checksum = buf.getShort(tcpOffset + CHECKSUM_OFFSET) & 0xFFFF;
        buf.putShort(tcpOffset + CHECKSUM_OFFSET, (short) Checksum.adjust32(checksum, old, newSeq));
    }

    /** Replaces the 16-bit window field in place, updating the checksum incrementally (RFC 1624). */
    public static void rewriteWindow(ByteBuffer buf, int tcpOffset, int newWindow) {
        int old = buf.getShort(tcpOffset + WINDOW_OFFSET) & 0xFFFF;
        buf.putShort(tcpOffset + WINDOW_OFFSET, (short) newWindow);
        int checksum = buf.getShort(tcpOffset + CHECKSUM_OFFSET) & 0xFFFF;
        buf.putShort(tcpOffset + CHECKSUM_OFFSET, (short) Checksum.adjust16(checksum, old, newWindow & 0xFFFF));
    }
}
