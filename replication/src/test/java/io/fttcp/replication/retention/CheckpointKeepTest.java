package io.fttcp.replication.retention;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.fttcp.replication.retention.RetentionTraffic.ACK;
import static io.fttcp.replication.retention.RetentionTraffic.FIN;
import static io.fttcp.replication.retention.RetentionTraffic.LISTENER;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rule C3 one case at a time: which of a live connection's segments stay below an applied checkpoint. */
class CheckpointKeepTest {
    private static final FourTuple A = new FourTuple(0x0a000001, 80, 0xc0a80001, 40001);
    private static final FourTuple B = new FourTuple(0x0a000001, 80, 0xc0a80002, 40002);
    private static final int ISN = 1000;
    private static final int SERVER_ISN = 5000;

    private final LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
    private long lsn;

    private long add(Record r) {
        set.add(++lsn, r);
        return lsn;
    }

    private static Segment data(FourTuple t, int offset, int length, int flags, int acked) {
        return new Segment(t, ISN + 1 + offset, SERVER_ISN + 1 + acked, flags, 65535, 0, 0, new byte[length]);
    }

    private static Checkpoint checkpoint(long read, long output) {
        return new Checkpoint(LISTENER, new byte[] {1}, List.of(new Checkpoint.Entry(A, read, output, false, false, output, new byte[0])));
    }

    private List<Long> lsnsBelowCheckpoint() {
        List<LoggedRecord> snapshot = set.snapshot(Long.MAX_VALUE);
        long at = snapshot.stream().filter(r -> r.record() instanceof Checkpoint).findFirst().orElseThrow().lsn();
        return snapshot.stream().map(LoggedRecord::lsn).filter(l -> l < at).toList();
    }

    @Test
    void readSegmentsGoUnreadOnesTheLatestAndTheOneWithTheHighestAcknowledgementStay() {
        long connectA = add(new Connect(A, ISN, SERVER_ISN, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        add(new Accept(LISTENER, A));
        long connectB = add(new Connect(B, ISN, SERVER_ISN, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        long ofB = add(data(B, 0, 10, ACK, 0)); // B not accepted yet: all its segments stay
        add(new Write(A, 0, 60, 0));
        add(data(A, 0, 100, ACK, 10));                   // read, nothing else: goes
        long highestAck = add(data(A, 100, 100, ACK, 60)); // read, but brought the acknowledgement 60
        long latest = add(data(A, 200, 100, ACK, 30));     // half unread, the latest, an older acknowledgement
        add(new Read(A, 250));
        add(checkpoint(250, 60));
        assertEquals(1, set.checkpointsApplied());
        assertEquals(List.of(connectA, connectB, ofB, highestAck, latest), lsnsBelowCheckpoint());
        assertEquals(6, set.retainedRecords());
        assertEquals(210, set.retainedPayloadBytes());
        assertEquals(4, set.droppedByCheckpoints()); // the ACCEPT, the WRITE, the first segment and the READ

        long fin = add(data(A, 300, 100, ACK | FIN, 60)); // its FIN keeps it though it is read
        long next = add(data(A, 400, 0, ACK, 60));
        add(new Read(A, 150));
        add(checkpoint(400, 60));
        assertEquals(2, set.checkpointsApplied());
        assertEquals(List.of(connectA, connectB, ofB, highestAck, fin, next), lsnsBelowCheckpoint(), "the once-unread segment is read now: it goes");
        assertEquals(210, set.retainedPayloadBytes());
        assertEquals(4 + 3, set.droppedByCheckpoints()); // the segment read since, the first checkpoint and the READ
        assertEquals(7, set.retainedRecords());
    }
}
