package io.fttcp.replication.retention;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;

/**
 * Which SEGMENT records of a connection live at an applied checkpoint stay below it (rule C3 of
 * the package documentation), when the checkpoint's entry says the application has read its
 * client's bytes up to {@code readOffset}: the segments carrying bytes at or beyond it, those
 * with SYN, FIN or RST, the latest, the ones the replay's client state comes from, and anchors
 * so that a replay seeing only these places every sequence number, acknowledgement and
 * timestamp as a replay of all of them does.
 */
final class CheckpointKeep {
    /** Kept segments are never this far apart (stream offset, acknowledgement, timestamps): half of what a 32-bit reading tolerates. */
    static final long ANCHOR_SPAN = 1L << 30;
    private static final int FLAG_FIN = 0x01;
    private static final int FLAG_SYN = 0x02;
    private static final int FLAG_RST = 0x04;

    private CheckpointKeep() {
    }

    /** The segments of {@code trail} to keep, by index. */
    static boolean[] select(SegmentTrail trail, long readOffset, ReplayedClientState replayed, Connect connect) {
        int n = trail.size();
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            Segment s = trail.segment(i);
            long offset = trail.offset(i);
            keep[i] = (s.flags() & (FLAG_SYN | FLAG_FIN | FLAG_RST)) != 0
                    || (offset != SegmentTrail.NOT_PLACED && trail.length(i) > 0 && offset + trail.length(i) > readOffset)
                    || replayed.carries(trail.lsn(i));
        }
        if (n > 0) {
            keep[n - 1] = true; // the latest
        }
        anchor(trail, keep, connect);
        return keep;
    }

    /**
     * Walks the placed segments from the CONNECT on; when one lies {@link #ANCHOR_SPAN} or more
     * from the last kept one, the dropped segment just before it is kept as well. The trail's
     * consecutive segments are close (the client's stream and an earlier selection both), so one
     * anchor suffices each time.
     */
    private static void anchor(SegmentTrail trail, boolean[] keep, Connect connect) {
        boolean timestamps = connect.timestamps();
        long lastOffset = 0;
        long lastAck = 0;
        int lastTsVal = connect.clientTsVal();
        int lastTsEcr = 0;
        int dropped = -1;
        for (int i = 0; i < trail.size(); i++) {
            if (trail.offset(i) == SegmentTrail.NOT_PLACED) {
                continue; // not placed: the replay reads nothing from it but its RST
            }
            if (dropped >= 0 && far(trail, i, lastOffset, lastAck, timestamps, lastTsVal, lastTsEcr)) {
                keep[dropped] = true;
                Segment d = trail.segment(dropped);
                lastOffset = trail.offset(dropped);
                lastAck = trail.ack(dropped) == SegmentTrail.NO_ACK ? lastAck : trail.ack(dropped);
                lastTsVal = d.tsVal() == 0 ? lastTsVal : d.tsVal();
                lastTsEcr = d.tsEcr() == 0 ? lastTsEcr : d.tsEcr();
            }
            if (keep[i]) {
                Segment s = trail.segment(i);
                lastOffset = trail.offset(i);
                lastAck = trail.ack(i) == SegmentTrail.NO_ACK ? lastAck : trail.ack(i);
                lastTsVal = s.tsVal() == 0 ? lastTsVal : s.tsVal();
                lastTsEcr = s.tsEcr() == 0 ? lastTsEcr : s.tsEcr();
                dropped = -1;
            } else {
                dropped = i;
            }
        }
    }

    private static boolean far(SegmentTrail trail, int i, long lastOffset, long lastAck, boolean timestamps, int lastTsVal, int lastTsEcr) {
        if (Math.abs(trail.offset(i) - lastOffset) >= ANCHOR_SPAN) {
            return true;
        }
        if (trail.ack(i) != SegmentTrail.NO_ACK && Math.abs(trail.ack(i) - lastAck) >= ANCHOR_SPAN) {
            return true;
        }
        Segment s = trail.segment(i);
        return timestamps && (farTs(s.tsVal(), lastTsVal) || farTs(s.tsEcr(), lastTsEcr));
    }

    /** Timestamps compare mod 2^32; 0 is none. */
    private static boolean farTs(int seen, int known) {
        return seen != 0 && known != 0 && Math.abs((long) (seen - known)) >= ANCHOR_SPAN;
    }
}
