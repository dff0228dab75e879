package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/**
 * A TCP segment as the state machine sees it: header fields, parsed options and a payload view.
 * Mutable and reused: the host layer fills one per received packet, the connection fills one per
 * emitted segment; neither may keep a reference after the call returns.
 */
public final class TcpSegment {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40, CWR = 0x80;
    public static final int MAX_SACK_BLOCKS = 4;

    public int seq;
    public int ack;
    public int flags;
    /** The 16-bit window field as on the wire (not yet scaled). */
    public int window;
    /** MSS option, or -1 if absent. */
    public int mss = -1;
    /** Window-scale option shift count, or -1 if absent. */
    public int windowScale = -1;
    public boolean sackPermitted;
    public boolean hasTimestamp;
    public int tsVal;
    public int tsEcr;
    public int sackBlockCount;
    public final int[] sackLeft = new int[MAX_SACK_BLOCKS];
    public final int[] sackRight = new int[MAX_SACK_BLOCKS];
    /** Payload bytes between position and limit; null means no payload. */
    public ByteBuffer payload;

    public TcpSegment clear() {
        seq = ack = flags = window = 0;
        mss = windowScale = -1;
        sackPermitted = hasTimestamp = false;
        tsVal = tsEcr = sackBlockCount = 0;
        payload = null;
        return this;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int payloadLength() {
        return payload == null ? 0 : payload.remaining();
    }

    /** Sequence space the segment occupies: payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength() + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (has(SYN)) b.append('S');
        if (has(FIN)) b.append('F');
        if (has(RST)) b.append('R');
        if (has(PSH)) b.append('P');
        if (has(ACK)) b.append('.');
        b.append(" seq=").append(Integer.toUnsignedString(seq));
        if (has(ACK)) b.append(" ack=").append(Integer.toUnsignedString(ack));
        b.append(" win=").append(window).append(" len=").append(payloadLength());
        if (mss >= 0) b.append(" mss=").append(mss);
        if (windowScale >= 0) b.append(" ws=").append(windowScale);
        if (sackPermitted) b.append(" sackOK");
        if (hasTimestamp) b.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/').append(Integer.toUnsignedString(tsEcr));
        for (int i = 0; i < sackBlockCount; i++) {
            b.append(" sack=").append(Integer.toUnsignedString(sackLeft[i])).append('-').append(Integer.toUnsignedString(sackRight[i]));
        }
        return b.toString();
    }
}
