package io.fttcp.replication.log;

import org.junit.jupiter.api.Test;

import static io.fttcp.replication.log.GroupCommit.Step.NOTHING;
import static io.fttcp.replication.log.GroupCommit.Step.WRITE;
import static io.fttcp.replication.log.GroupCommit.Step.WRITE_AND_FORCE;
import static org.junit.jupiter.api.Assertions.*;

/** The sans-I/O fsync policy: steps, deadlines and the durable LSN, with forces that complete later. */
class LogGroupCommitTest {
    private static final long MS = 1_000_000;

    @Test
    void batchForceInFlightCoversWhatWasWrittenBeforeIt() {
        GroupCommit g = new GroupCommit(FsyncPolicy.BATCH, 2 * MS, 10);
        assertEquals(10, g.durableLsn(), "recovered records are durable");
        assertEquals(Long.MAX_VALUE, g.deadline());
        g.appended(11);
        assertEquals(WRITE_AND_FORCE, g.onCommit(0));
        g.written();
        g.forceStarted(0);
        assertEquals(10, g.durableLsn(), "asked for, not completed");
        assertEquals(Long.MAX_VALUE, g.deadline(), "everything written is covered by the force in flight");
        g.appended(12);
        assertEquals(WRITE, g.onCommit(MS), "inside the window: write only");
        g.written();
        assertEquals(NOTHING, g.onCommit(MS));
        assertEquals(2 * MS, g.deadline());
        g.forceCompleted(11);
        assertEquals(11, g.durableLsn(), "the force covered what was written before it, not after");
        assertEquals(WRITE_AND_FORCE, g.onCommit(2 * MS));
        g.forceStarted(2 * MS);
        g.forceCompleted(12);
        assertEquals(12, g.durableLsn());
        g.forceCompleted(11);
        assertEquals(12, g.durableLsn(), "completions never move it back");
    }

    @Test
    void alwaysAsksForAForceAtEveryCommitWithSomethingNew() {
        GroupCommit g = new GroupCommit(FsyncPolicy.ALWAYS, 2 * MS, 0);
        g.appended(1);
        assertEquals(Long.MIN_VALUE, g.deadline());
        assertEquals(WRITE_AND_FORCE, g.onCommit(0));
        g.written();
        g.forceStarted(0);
        assertEquals(NOTHING, g.onCommit(0), "already asked for");
        g.appended(2);
        assertEquals(WRITE_AND_FORCE, g.onCommit(1), "no window: a second force queues behind the first");
        assertEquals(0, g.durableLsn());
    }

    @Test
    void bufferFullAndRoll() {
        GroupCommit batch = new GroupCommit(FsyncPolicy.BATCH, 2 * MS, 0);
        batch.appended(5);
        assertEquals(WRITE_AND_FORCE, batch.onBufferFull(), "a full buffer is a batch on demand");
        batch.written();
        assertTrue(batch.forceAtRoll());
        batch.forceStarted(0);
        assertFalse(batch.forceAtRoll(), "a force in flight already covers the segment");

        GroupCommit never = new GroupCommit(FsyncPolicy.NEVER, 2 * MS, 0);
        never.appended(5);
        assertEquals(WRITE, never.onBufferFull());
        never.written();
        assertFalse(never.forceAtRoll());
        assertEquals(5, never.durableLsn(), "NEVER: durable once written");
        assertEquals(Long.MAX_VALUE, never.deadline());
    }
}
