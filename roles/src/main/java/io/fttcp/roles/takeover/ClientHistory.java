package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.TcpSegment;

import java.util.Map;
import java.util.TreeMap;

/**
 * The client side of one protected connection as the backup knows it from CONNECT and SEGMENT
 * records: how far the client's byte stream is logged without a gap (the backup's rcv.nxt), its
 * FIN, and the client's latest acknowledgement, window and timestamp. Sequence numbers are kept
 * as 64-bit offsets from the client's ISN so wrap-around needs no care; a segment more than 2^31
 * away from what is known is ignored as garbage.
 */
public final class ClientHistory {
    private final Connect connect;
    /** Client stream offset (from clientIsn + 1) up to which every byte is logged. */
    private long contiguousEnd;
    /** Logged ranges beyond contiguousEnd: start offset -> end offset. */
    private final TreeMap<Long, Long> ahead = new TreeMap<>();
    /** Offset of the client's FIN, or -1. */
    private long finOffset = -1;
    private boolean reset;
    private boolean ackSeen;
    private int latestAck;
    private int windowField;
    private int windowSeq;
    private int windowAck;
    private int latestTsVal;
    private int latestTsEcr;

    public ClientHistory(Connect connect) {
        this.connect = connect;
        this.latestTsVal = connect.clientTsVal();
        this.windowField = connect.clientWindow();
        this.windowSeq = connect.clientIsn();
    }

    public Connect connect() {
        return connect;
    }

    public void onSegment(Segment s) {
        if ((s.flags() & TcpSegment.RST) != 0) {
            reset = true;
            return;
        }
        long start = offsetOf(s.seq());
        if (start < -1 || start > Integer.MAX_VALUE) return; // not of this connection's sequence space
        if ((s.flags() & TcpSegment.ACK) != 0) onAck(s);
        if (connect.timestamps() && s.tsVal() != 0 && (latestTsVal == 0 || s.tsVal() - latestTsVal > 0)) latestTsVal = s.tsVal();
        if (connect.timestamps() && s.tsEcr() != 0 && (latestTsEcr == 0 || s.tsEcr() - latestTsEcr > 0)) latestTsEcr = s.tsEcr();
        long end = start + s.payload().length;
        if (s.payload().length > 0) add(Math.max(start, 0), end);
        if ((s.flags() & TcpSegment.FIN) != 0 && finOffset < 0) finOffset = end;
    }

    private void onAck(Segment s) {
        if (!ackSeen || s.ack() - latestAck > 0) latestAck = s.ack();
        // RFC 9293 window update rule: only from a segment at least as new as the last update.
        if (!ackSeen || s.seq() - windowSeq > 0 || (s.seq() == windowSeq && s.ack() - windowAck >= 0)) {
            windowField = s.window();
            windowSeq = s.seq();
            windowAck = s.ack();
        }
        ackSeen = true;
    }

    private void add(long start, long end) {
        if (end <= contiguousEnd) return;
        if (start <= contiguousEnd) {
            contiguousEnd = end;
            Map.Entry<Long, Long> e;
            while ((e = ahead.firstEntry()) != null && e.getKey() <= contiguousEnd) {
                ahead.pollFirstEntry();
                contiguousEnd = Math.max(contiguousEnd, e.getValue());
            }
        } else {
            ahead.merge(start, end, Math::max);
        }
    }

    private long offsetOf(int seq) {
        return (long) (seq - (connect.clientIsn() + 1));
    }

    /** Client bytes logged without a gap, from the first byte after the SYN. */
    public long contiguousBytes() {
        return contiguousEnd;
    }

    /** The client's FIN is logged and every byte before it too. */
    public boolean finReceived() {
        return finOffset >= 0 && contiguousEnd >= finOffset;
    }

    /** The backup's rcv.nxt: the next client sequence number it expects. */
    public int rcvNxt() {
        return connect.clientIsn() + 1 + (int) contiguousEnd + (finReceived() ? 1 : 0);
    }

    public boolean resetByClient() {
        return reset;
    }

    public boolean ackSeen() {
        return ackSeen;
    }

    /** The client's latest acknowledgement of our sequence space (our ISN + 1 if none yet). */
    public int latestAck() {
        return ackSeen ? latestAck : connect.serverIsn() + 1;
    }

    public int windowField() {
        return windowField;
    }

    public int windowSeq() {
        return windowSeq;
    }

    public int windowAck() {
        return ackSeen ? windowAck : connect.serverIsn() + 1;
    }

    public int latestTsVal() {
        return latestTsVal;
    }

    /** The highest of our TSvals the client echoed: a lower bound of the primary's timestamp clock. */
    public int latestTsEcr() {
        return latestTsEcr;
    }
}
