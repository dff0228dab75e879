package io.fttcp.replication.retention;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;

/**
 * Which of a connection's SEGMENT records the backup's replay ({@code ReplayConnection}) last
 * took the client's acknowledgement, window and timestamps from: a checkpoint that lets the
 * other segments go keeps these, so that a replay of what is left ends with the same values.
 * Follows the replay's rules for segments not before the client's SYN: the window from an ACK
 * segment at least as new as the last update (SND.WL1/WL2 of RFC 9293), a timestamp when it is
 * later mod 2^32. LSN -1: the CONNECT's value still stands. Not thread-safe.
 */
final class ReplayedClientState {
    private static final int FLAG_ACK = 0x10;

    private final boolean timestamps;
    private boolean ackSeen;
    private int windowSeq;
    private int windowAck;
    private int tsVal;
    private int tsEcr;
    /** The segment that brought the client's highest acknowledgement (set by the connection, which reads it). */
    long ackFrom = -1;
    long windowFrom = -1;
    long tsValFrom = -1;
    long tsEcrFrom = -1;

    ReplayedClientState(Connect connect) {
        this.timestamps = connect.timestamps();
        this.windowSeq = connect.clientIsn();
        this.windowAck = connect.serverIsn() + 1;
        this.tsVal = connect.clientTsVal();
    }

    /** A segment placed in the client's stream (not before its SYN), at {@code lsn}. */
    void onSegment(long lsn, Segment s) {
        if ((s.flags() & FLAG_ACK) != 0) {
            if (!ackSeen || s.seq() - windowSeq > 0 || (s.seq() == windowSeq && s.ack() - windowAck >= 0)) {
                windowSeq = s.seq();
                windowAck = s.ack();
                windowFrom = lsn;
            }
            ackSeen = true;
        }
        if (timestamps) {
            if (later(tsVal, s.tsVal())) {
                tsVal = s.tsVal();
                tsValFrom = lsn;
            }
            if (later(tsEcr, s.tsEcr())) {
                tsEcr = s.tsEcr();
                tsEcrFrom = lsn;
            }
        }
    }

    /** True if {@code seen} replaces {@code known} (0: none) as the replay decides it. */
    private static boolean later(int known, int seen) {
        return seen != 0 && (known == 0 || seen - known > 0);
    }

    /** True if the segment at {@code lsn} is one the replay's client state comes from. */
    boolean carries(long lsn) {
        return lsn == ackFrom || lsn == windowFrom || lsn == tsValFrom || lsn == tsEcrFrom;
    }

    boolean timestamps() {
        return timestamps;
    }
}
