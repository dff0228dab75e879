package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The primary's record log across its protection states: numbering, stability and what it retains for catch-ups. */
class ReplicationLogTest {
    private static final ChannelConfig CHANNEL = ChannelConfig.defaults("test");
    private static final FourTuple A = new FourTuple(0xC6120064, 80, 0xC612000A, 40000);
    private static final FourTuple B = new FourTuple(0xC6120064, 80, 0xC612000A, 40001);

    private static ReplicationLog log() {
        return new ReplicationLog(CHANNEL.newRecordStream(), CHANNEL, FtConfig.Retention.connections);
    }

    private static Connect connect(FourTuple t) {
        return new Connect(t, 1000, 5000, 1460, 1460, 7, 7, true, true, 1, 1, 65535);
    }

    @Test
    void numberingRunsOnAcrossUnprotectedAndReprotectedStretches() throws Exception {
        ReplicationLog log = log();
        assertEquals(1, log.append(connect(A)));
        assertEquals(2, log.append(new Read(A, 10)));
        assertEquals(0, log.stableLsn(), "nothing acknowledged yet while awaiting a backup");
        assertTrue(log.unprotected(null));
        assertEquals(Long.MAX_VALUE, log.stableLsn(), "unprotected: everything counts as stable");
        assertEquals(3, log.append(new Read(A, 20)));
        assertEquals(4, log.append(connect(B)));
        RecordStream before = log.stream();
        RecordStream joiner = log.streamForJoiner(System.nanoTime());
        assertNotSame(before, joiner, "re-protection starts a fresh stream");
        assertEquals(Protection.AWAITING_BACKUP, log.protection());
        assertEquals(4, log.stableLsn(), "what was appended unprotected stays stable; new records wait for the joiner");
        assertEquals(5, log.append(new Read(B, 5)));
        assertEquals(5, joiner.lastLsn(), "the fresh stream continues the numbering and keeps the new record for the joiner");
        assertSame(joiner, log.streamForJoiner(System.nanoTime()), "a second joiner while awaiting gets the same stream");
        assertEquals(Protection.AWAITING_BACKUP, log.reported());
        assertTrue(log.protectedBy(null), "the joiner's channel is up");
        // A stopped primary hands its connections over only to a joiner holding the catch-up (output of records 1 to 4 has left).
        assertFalse(log.replicaHoldsTheCatchUp(), "the joiner holds the catch-up before acknowledging anything");
        assertEquals(Protection.CATCHING_UP, log.reported(), "operators are not told PROTECTED while a crash would lose connections A and B");
        synchronized (joiner) {
            joiner.acknowledge(4);
        }
        assertFalse(log.replicaHoldsTheCatchUp(), "the stream starts stable at the catch-up's end: that says nothing");
        assertEquals(Protection.CATCHING_UP, log.reported());
        synchronized (joiner) {
            joiner.writeBatch(java.nio.ByteBuffer.allocate(1 << 16));
            joiner.acknowledge(5);
        }
        assertTrue(log.replicaHoldsTheCatchUp(), "a record after the catch-up acknowledged: the catch-up came first");
        assertEquals(Protection.PROTECTED, log.protection());
        assertEquals(Protection.PROTECTED, log.reported(), "now shown as it is held");
    }

    /**
     * The wrapper keeps the highest stable LSN it is told: while unprotected it must be told the
     * last LSN, never "everything", or a re-protected primary would release output and ACKs the
     * new backup or logger does not hold yet.
     */
    @Test
    void theWrapperIsNeverToldEverythingIsStable() {
        ReplicationLog log = log();
        log.append(connect(A));
        assertTrue(log.unprotected(null));
        assertEquals(Long.MAX_VALUE, log.stableLsn());
        log.append(new Read(A, 20));
        long told = log.stableLsnForWrapper();
        assertEquals(2, told, "while unprotected: what was appended");
        log.streamForJoiner(System.nanoTime());
        long appended = log.append(new Read(A, 30));
        assertEquals(2, log.stableLsnForWrapper(), "re-protecting: the new record is not stable");
        assertTrue(appended > Math.max(told, log.stableLsnForWrapper()), "the wrapper holds what depends on LSN " + appended);
    }

    @Test
    void aSteppedDownPrimaryNumbersTheRecordsOfItsWindingDownApplicationOn() {
        ReplicationLog log = log();
        assertEquals(1, log.append(connect(A)));
        assertEquals(2, log.append(new Read(A, 10)));
        log.steppedDown();
        assertEquals(3, log.append(new Read(A, 20)), "after the stream's records, not from 1 again");
        assertEquals(4, log.append(new Close(A, Close.How.CLOSE)));
    }

    @Test
    void theRetainedRecordsAreTheLiveConnectionsInLsnOrderWhateverTheProtection() {
        ReplicationLog log = log();
        log.append(connect(A));
        log.append(new Read(A, 10));
        log.unprotected(null);
        log.append(connect(B));
        log.append(new Read(B, 3));
        List<LoggedRecord> all = log.retainedThrough(Long.MAX_VALUE);
        assertEquals(List.of(1L, 2L, 3L, 4L), all.stream().map(LoggedRecord::lsn).toList());
        assertEquals(List.of(1L, 2L), log.retainedThrough(2).stream().map(LoggedRecord::lsn).toList());
        List<Record> records = all.stream().map(LoggedRecord::record).toList();
        assertEquals(connect(A), records.getFirst());
        assertTrue(log.retentionStatus().contains("retainedConnections=2"), log.retentionStatus());
    }

    @Test
    void aPromotedReplicaContinuesAfterWhatItAppliedAndKeepsItsHistory() {
        ReplicationLog log = log();
        log.retainApplied(7, connect(A));
        log.retainApplied(9, new Read(A, 100));
        log.promoted(12);
        assertEquals(Protection.UNPROTECTED, log.protection());
        assertEquals(13, log.append(new Read(A, 50)));
        assertEquals(List.of(7L, 9L, 13L), log.retainedThrough(Long.MAX_VALUE).stream().map(LoggedRecord::lsn).toList());
        RecordStream joiner = log.streamForJoiner(System.nanoTime());
        assertEquals(13, joiner.stableLsn(), "a joiner's stream starts after the last record");
        assertEquals(14, log.append(new Close(A, Close.How.CLOSE)));
    }

    @Test
    void pastTheRetentionLimitTheRetainedRecordsAreGivenUpWhileItsConnectionLives() {
        ReplicationLog log = new ReplicationLog(CHANNEL.newRecordStream(), CHANNEL, FtConfig.Retention.connections, 1000);
        log.append(connect(A));
        log.append(new io.fttcp.replication.record.Segment(A, 1001, 5001, 0x18, 65535, 0, 0, new byte[600]));
        assertEquals(null, log.retentionLost());
        assertEquals(2, log.retainedThrough(Long.MAX_VALUE).size());
        log.append(new io.fttcp.replication.record.Segment(A, 1601, 5001, 0x18, 65535, 0, 0, new byte[600]));
        assertTrue(log.retentionLost() != null && log.retentionLost().contains("passed 0 MiB"), String.valueOf(log.retentionLost()));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> log.retainedThrough(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("no catch-up"), e.getMessage());
        log.append(connect(B));
        assertTrue(log.retentionStatus().startsWith("retained=none"), log.retentionStatus());
    }

    @Test
    void unprotectedAndSteppedDownAreLeftOnlyByReprotectionRespectively() {
        ReplicationLog log = log();
        assertTrue(log.unprotected(null));
        assertFalse(log.unprotected(null), "unprotected once");
        assertFalse(log.awaiting(null), "awaiting is not entered from unprotected except by a joiner");
        log.steppedDown();
        assertEquals(Protection.STEPPED_DOWN, log.protection());
        assertFalse(log.awaiting(null));
        assertFalse(log.unprotected(null));
    }

    /**
     * A joiner's catch-up is the retained records through the LSN its stream began at, as they
     * were then: a checkpoint appended before its handshake, applied, drops the determinants
     * below it from the retained set, but the joiner gets that checkpoint from the stream, after
     * them, and needs them first (a review found the catch-up missing them).
     */
    @Test
    void aJoinersCatchUpIsTakenWhenItsStreamBeginsNotAtItsHandshake() {
        FourTuple listener = new FourTuple(0xC6120064, 80, 0, 0);
        ReplicationLog log = new ReplicationLog(CHANNEL.newRecordStream(), CHANNEL, FtConfig.Retention.checkpointed);
        assertTrue(log.unprotected(null));
        List<Record> before = List.of(new Seed(listener, 1),
                new Checkpoint(listener, new byte[] {1}, List.of()),
                new Seed(listener, 2), new Seed(listener, 3));
        long through = 0;
        for (Record r : before) through = log.append(r);
        RecordStream joiners = log.streamForJoiner(0);
        assertEquals(through, joiners.stableLsn());
        log.append(new Seed(listener, 4));
        log.append(new Checkpoint(listener, new byte[] {2}, List.of())); // applied: lets the older ones go

        LiveRecordSet then = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        for (int i = 0; i < before.size(); i++) then.add(i + 1, before.get(i));
        assertEquals(then.snapshot(through), log.retainedThrough(joiners.stableLsn()), "the catch-up as it stood when the joiner's stream began");
        assertEquals(3, log.retainedThrough(through).size(), "the first checkpoint and the two seeds after it");
    }
}
