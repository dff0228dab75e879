package io.fttcp.replication.retention;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.List;

/**
 * One incarnation of a connection (from its CONNECT record) while it is retained (live, or
 * finished and lingering): its records,
 * its latest heartbeat TSval, the READY records naming it, and what tells when it is finished
 * (the backup's rule, {@code ReplayConnection.finished()}, read from the records).
 */
final class LiveConnection {
    private static final int FLAG_FIN = 0x01;
    private static final int FLAG_RST = 0x04;
    private static final int FLAG_ACK = 0x10;

    final FourTuple tuple;
    final long connectLsn;
    final Connect connect;
    /** Our sequence number of output offset 0: the server's ISN + 1. */
    private final int outputBase;
    private final ClientStreamProgress input;
    /** Its records in LSN order (heartbeats and READY records aside); null when the set keeps everything elsewhere, or once dropped. */
    LsnQueue<Record> records;
    long payloadBytes;

    /** The client's latest acknowledgement as an offset in our stream (forward only, as the backup reads it). */
    private long clientAcked;
    /** End of the application's output per its WRITE records. */
    private long outputEnd;
    private boolean closed;
    private boolean reset;

    /**
     * For CHECKPOINTED retention: its SEGMENT records not let go yet (null otherwise, and once
     * dropped), and the ones the backup's replay last took its client state from: the client's
     * highest acknowledgement, its window (SND.WL1/WL2 of RFC 9293, as the replay applies it),
     * its TSval and TSecr (-1: none, the CONNECT's values stand).
     */
    SegmentTrail trail;
    final ReplayedClientState replayed;

    // For CHECKPOINTED retention: what a checkpoint entry must match, and what a checkpoint keeps.
    /** An ACCEPT named it: the application has it. */
    boolean accepted;
    /** Client bytes the application read (the sum of its positive READ counts). */
    long readOffset;
    /** A CLOSE shutting its output (shutdown output or close) named it. */
    boolean outputShut;
    /** Its CONNECT and SEGMENT records older than the latest applied checkpoint, while they are kept; else null. */
    LsnQueue<Record> pinned;
    /** Its latest heartbeat entry (LSN -1: none), and the one kept with {@link #pinned}. */
    long lastBeatLsn = -1;
    long lastBeatSentAt;
    int lastBeatTsVal;
    int lastBeatIndex;
    long pinnedBeatLsn = -1;
    long pinnedBeatSentAt;
    int pinnedBeatTsVal;
    int pinnedBeatIndex;

    /** Where its latest heartbeat TSval is: record, value, and index of the entry in that record. */
    HeartbeatMark heartbeat;
    int heartbeatTsVal;
    int heartbeatEntry;
    /** READY records naming it (created on the first). */
    List<SharedReady> readies;

    /** Its records are kept (live or lingering); false once dropped. */
    boolean retained = true;
    /** Finished, its records kept until evicted (see {@link LiveRecordSet}). */
    boolean lingering;
    /** Neighbours in CONNECT order among the retained connections (live and lingering). */
    LiveConnection older;
    LiveConnection newer;
    /** Neighbours in finishing order among the lingering connections. */
    LiveConnection lingerOlder;
    LiveConnection lingerNewer;

    LiveConnection(long connectLsn, Connect connect, boolean keepRecords) {
        this.tuple = connect.tuple();
        this.connectLsn = connectLsn;
        this.connect = connect;
        this.outputBase = connect.serverIsn() + 1;
        this.input = new ClientStreamProgress(connect.clientIsn());
        this.records = keepRecords ? new LsnQueue<>(8) : null;
        this.replayed = new ReplayedClientState(connect);
    }

    /** Under CHECKPOINTED: remembers its SEGMENT records (see {@link #trail}). */
    void trackSegments() {
        trail = new SegmentTrail();
    }

    void keep(long lsn, Record record) {
        if (records != null) {
            records.add(lsn, record);
        }
    }

    void onSegment(long lsn, Segment s) {
        if ((s.flags() & FLAG_RST) != 0) {
            reset = true;
        }
        int length = s.payload() == null ? 0 : s.payload().length;
        if (input.beforeSyn(s.seq())) {
            if (trail != null) {
                trail.add(lsn, s, SegmentTrail.NOT_PLACED, length, SegmentTrail.NO_ACK);
            }
            return; // garbage the backup ignores too
        }
        long offset = input.offsetOf(s.seq());
        input.offer(s.seq(), length, (s.flags() & FLAG_FIN) != 0);
        long ack = SegmentTrail.NO_ACK;
        if ((s.flags() & FLAG_ACK) != 0) {
            ack = clientAcked + (int) ((s.ack() - outputBase) - (int) clientAcked);
            if (ack > clientAcked) {
                clientAcked = ack;
                replayed.ackFrom = lsn;
            }
        }
        if (trail != null) {
            replayed.onSegment(lsn, s);
            trail.add(lsn, s, offset, length, ack);
        }
    }

    void onWrite(Write w) {
        if (w.count() > 0) {
            outputEnd = Math.max(outputEnd, w.offset() + w.count());
        }
    }

    void onClose() {
        closed = true;
    }

    /** A replica's takeover gave it up and reset its client ({@link io.fttcp.replication.record.Close.How#RESET}): finished. */
    void onGivenUp() {
        closed = true;
        reset = true;
    }

    boolean closed() {
        return closed;
    }

    /** The client's latest acknowledgement, as an offset in our stream. */
    long clientAcked() {
        return clientAcked;
    }

    /** End of the application's output per its WRITE records. */
    long outputEnd() {
        return outputEnd;
    }

    /** Closed by the application, and reset by the client or ended by it (FIN, all bytes before it) with our FIN acknowledged. */
    boolean finished() {
        return closed && (reset || (input.finReached() && clientAcked > outputEnd));
    }

    void addReady(SharedReady r) {
        if (readies == null) {
            readies = new ArrayList<>(4);
        }
        readies.add(r);
    }

    /**
     * Lets go of its records once dropped: READY records still queued may refer to it for a
     * while (to leave out its entries), and must not keep its records reachable. Records a
     * checkpoint pinned stay until the next applied checkpoint.
     */
    void release() {
        retained = false;
        records = null;
        readies = null;
        heartbeat = null;
        trail = null;
    }

    @Override
    public String toString() {
        return "retained connection " + tuple + " from LSN " + connectLsn;
    }
}
