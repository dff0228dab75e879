package io.fttcp.wrappers.nsw;

import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup's state of one connection (one incarnation of a four-tuple, from its CONNECT
 * record): the client's stream rebuilt from SEGMENT records, the READ and WRITE records not
 * yet consumed by the application, and the application's output above the client's
 * acknowledgement. Guarded by the replay network's lock.
 */
final class ReplayConnection {

    private static final int FLAG_FIN = 0x01;
    private static final int FLAG_RST = 0x04;
    private static final int FLAG_ACK = 0x10;

    final FourTuple tuple;
    final Connect connect;
    /** Signalled when records or client bytes arrive, at close and at takeover. */
    final Condition changed;
    final ClientStream input;
    final ArrayDeque<Read> reads = new ArrayDeque<>();
    final ArrayDeque<Write> writes = new ArrayDeque<>();
    /** The application's output, from the client's latest acknowledgement (or the output offset, if behind) on. */
    final ByteQueue output = new ByteQueue(0);
    long outputOffset;
    long clientAcked;
    boolean clientAckSeen;
    int clientWindow;
    /** SND.WL1 and SND.WL2 of RFC 9293: the segment that last updated {@code clientWindow}. */
    int clientWindowSeq;
    int clientWindowAck;
    int clientTsVal;
    int clientTsEcr;
    int primaryMaxTsVal;
    /** End of the primary's output per its WRITE records. */
    long primaryOutputEnd;
    /** A CLOSE record (shutdown output or close) is logged: the primary's FIN follows {@code primaryOutputEnd}. */
    boolean primaryShutOutput;
    /** A CLOSE RESET named it: our side ended it (a takeover gave it up and reset its client, or the primary's stack aborted it or timed it out). */
    boolean givenUp;
    boolean clientReset;
    boolean accepted;
    boolean outputShut;
    boolean closed;
    String divergence;

    /** After takeover: the restored socket, or null if the connection was not restored. */
    StreamSocket live;
    /** After takeover: output below this offset was already covered by the restored send queue or the client's ACK. */
    long liveSendStart;
    boolean wentLive;

    /**
     * @param chained the stream may be what retention kept below a checkpoint (no determinant
     *                applied yet): its sequence numbers chain from one kept segment to the next
     *                until {@link ClientStream#endChaining()}
     */
    ReplayConnection(FourTuple tuple, Connect connect, ReentrantLock lock, boolean chained) {
        this.tuple = tuple;
        this.connect = connect;
        this.changed = lock.newCondition();
        this.input = new ClientStream(connect == null ? 0 : connect.clientIsn(), chained);
        this.clientWindow = connect == null ? 0 : connect.clientWindow();
        this.clientWindowSeq = connect == null ? 0 : connect.clientIsn();
        this.clientWindowAck = connect == null ? 0 : connect.serverIsn() + 1;
        this.clientTsVal = connect == null ? 0 : connect.clientTsVal();
    }

    void onSegment(Segment s) {
        if ((s.flags() & FLAG_RST) != 0) {
            clientReset = true;
        }
        if (connect != null && input.offsetOf(s.seq()) < -1) {
            changed.signalAll();
            return; // before the client's SYN: not of this connection's sequence space
        }
        input.offer(s.seq(), s.payload() == null ? new byte[0] : s.payload(), (s.flags() & FLAG_FIN) != 0);
        if ((s.flags() & FLAG_ACK) != 0 && connect != null) {
            // Nearest to the last known acknowledgement; acknowledgements only move forward.
            long acked = clientAcked + (int) ((s.ack() - (connect.serverIsn() + 1)) - (int) clientAcked);
            if (acked > clientAcked) {
                clientAcked = acked;
                output.discardBefore(Math.min(clientAcked, outputOffset));
            }
            // RFC 9293 window update: only from a segment at least as new as the last update.
            if (!clientAckSeen || s.seq() - clientWindowSeq > 0 || (s.seq() == clientWindowSeq && s.ack() - clientWindowAck >= 0)) {
                clientWindow = s.window();
                clientWindowSeq = s.seq();
                clientWindowAck = s.ack();
            }
            clientAckSeen = true;
        }
        if (connect != null && connect.timestamps()) {
            clientTsVal = later(clientTsVal, s.tsVal());
            clientTsEcr = later(clientTsEcr, s.tsEcr());
        }
        changed.signalAll();
    }

    /** The later of a known timestamp (0: none) and a new one (0: none), mod 2^32. */
    private static int later(int known, int seen) {
        return seen != 0 && (known == 0 || seen - known > 0) ? seen : known;
    }

    /** A WRITE record of the primary's application (applied in log order). */
    void onPrimaryWrite(Write w) {
        if (w.count() > 0) {
            primaryOutputEnd = Math.max(primaryOutputEnd, w.offset() + w.count());
        }
    }

    /** Records the application's {@code length} output bytes from {@code src}'s position, keeping those above the client's ACK. */
    void appendOutput(ByteBuffer src, int length) {
        ByteBuffer bytes = src.slice(src.position(), length);
        long from = outputOffset;
        outputOffset += length;
        if (wentLive) {
            return;
        }
        if (outputOffset <= clientAcked) {
            output.discardBefore(outputOffset);
            return;
        }
        if (from < clientAcked) {
            bytes.position((int) (clientAcked - from));
            output.discardBefore(clientAcked);
        }
        output.append(bytes);
    }

    /**
     * Continues from a checkpoint's entry instead of from the READ, WRITE and CLOSE records
     * before it (which a recovery does not replay): the application has it, has read and written
     * so far, shut and closed as the entry says, and its output above the client's
     * acknowledgement is the entry's copy. The client's segments before the checkpoint are
     * applied already: all, or what retention kept of them (the client's stream is then re-based
     * at the entry's read offset; the segments the client's acknowledgement, window and
     * timestamps came from are among them). Returns why the entry cannot be continued (the connection must then be
     * reset), or null.
     */
    String restoreFrom(io.fttcp.replication.record.Checkpoint.Entry e) {
        accepted = true;
        String problem = null;
        if (!input.skipTo(e.readOffset())) {
            problem = "the checkpoint's read offset " + e.readOffset() + " is beyond the client's FIN (its stream is contiguous to "
                    + input.end() + ")";
        }
        outputOffset = e.outputOffset();
        primaryOutputEnd = e.outputOffset();
        if (e.outputShut()) {
            outputShut = true;
            primaryShutOutput = true;
        }
        closed = e.closed();
        long keepFrom = Math.min(clientAcked, outputOffset);
        if (e.outputStart() > keepFrom) {
            problem = "the checkpoint holds output from offset " + e.outputStart() + " only, the client has acknowledged up to " + keepFrom;
        } else {
            output.discardBefore(e.outputStart());
            output.append(ByteBuffer.wrap(e.output()));
            output.discardBefore(keepFrom);
        }
        changed.signalAll();
        return problem;
    }

    boolean isDiverged() {
        return divergence != null;
    }

    /**
     * Nothing more can happen here: the application closed it, and the client reset it or sent
     * its FIN and acknowledged ours. A diverged connection is kept: takeover must reset it. One
     * our side ended ({@link #givenUp}) is finished once its application let go of it, or at once
     * if it never accepted it (it never will: the stack no longer queues it); before, the backup
     * kept it, and its output, for as long as it ran.
     */
    boolean finished() {
        if (givenUp) return closed || !accepted;
        return closed && divergence == null && (clientReset || (input.finReached() && clientAcked > outputOffset));
    }

    ConnectionImage image() {
        return new ConnectionImage(tuple, connect, accepted, input.end(), input.finReached(), clientReset,
                input.readOffset(), input.unread(), input.outOfOrder(), clientAcked, clientWindow, clientWindowSeq, clientWindowAck,
                clientTsVal, clientTsEcr, primaryMaxTsVal, primaryShutOutput ? primaryOutputEnd : -1,
                outputOffset, output.start(), output.toArray(output.start(), output.end()), outputShut, closed,
                divergence != null, divergence);
    }

    @Override
    public String toString() {
        return "replayed connection " + tuple;
    }
}
