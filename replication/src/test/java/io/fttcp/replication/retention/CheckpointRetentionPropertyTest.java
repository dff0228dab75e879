package io.fttcp.replication.retention;

import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CHECKPOINTED retention checked against {@link CheckpointReference}, record by record, on the
 * random traffic of {@link RetentionTraffic} with checkpoints mixed in: ones matching the records
 * (applied) and ones spoiled one way or another (refused).
 */
class CheckpointRetentionPropertyTest {

    /** The traffic with a checkpoint now and then (LSNs doubled to make room), each checked as it is added. */
    private static void run(long seed, int connections, CheckpointRun check) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> traffic = RetentionTraffic.generate(random, connections);
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        CheckpointReference reference = new CheckpointReference();
        int checkpointPercent = 1 + random.nextInt(8);
        int checkEvery = 1 + random.nextInt(15);
        for (int i = 0; i < traffic.size(); i++) {
            LoggedRecord r = traffic.get(i);
            add(set, reference, 2 * r.lsn(), r.record());
            if (random.nextInt(100) < checkpointPercent) {
                add(set, reference, 2 * r.lsn() + 1, reference.checkpoint(random, random.nextInt(4) == 0));
            }
            if (i % checkEvery == 0 || i == traffic.size() - 1) {
                check.check(i, set, reference, 2 * r.lsn() + 1, random);
            }
        }
    }

    private static void add(LiveRecordSet set, CheckpointReference reference, long lsn, Record record) {
        set.add(lsn, record);
        reference.add(lsn, record);
    }

    private interface CheckpointRun {
        void check(int at, LiveRecordSet set, CheckpointReference reference, long lastLsn, SplittableRandom random);
    }

    @RepeatedTest(60)
    void checkpointedMatchesTheReference() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        run(seed, 5 + random.nextInt(80), (at, set, reference, lastLsn, r) -> {
            String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), after record #" + at + ", " + set;
            List<LoggedRecord> expected = reference.expected(Long.MAX_VALUE);
            assertEquals(expected, set.snapshot(Long.MAX_VALUE), where);
            long through = r.nextLong(lastLsn + 1);
            assertEquals(reference.expected(through), set.snapshot(through), where + ", through " + through);
            assertEquals(expected.size(), set.retainedRecords(), where);
            long payload = 0;
            for (LoggedRecord x : expected) {
                if (x.record() instanceof Segment s) payload += s.payload().length;
            }
            assertEquals(payload, set.retainedPayloadBytes(), where);
            assertEquals(expected.isEmpty() ? 0 : expected.getFirst().lsn(), set.oldestRetainedLsn(), where);
            assertEquals(reference.liveConnections(), set.liveConnections(), where);
            assertEquals(reference.applied, set.checkpointsApplied(), where);
            assertEquals(reference.refused, set.checkpointsRefused(), where);
        });
    }

    /** The property proves little unless checkpoints are applied, refused, and leave live connections' records behind. */
    @Test
    void trafficAppliesAndRefusesCheckpointsAndPinsLiveConnections() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        int[] appliedRuns = new int[1], refusedRuns = new int[1], pinningRuns = new int[1], droppingRuns = new int[1], readRuns = new int[1];
        for (int run = 0; run < 20; run++) {
            List<Boolean> pinned = new ArrayList<>(List.of(false, false));
            run(random.nextLong(), 60, (at, set, reference, lastLsn, r) -> {
                List<LoggedRecord> snapshot = set.snapshot(Long.MAX_VALUE);
                long checkpointLsn = -1;
                for (LoggedRecord x : snapshot) {
                    if (x.record() instanceof Checkpoint) {
                        checkpointLsn = x.lsn();
                        break;
                    }
                }
                if (checkpointLsn > 0 && set.checkpointsApplied() > 0 && snapshot.getFirst().lsn() < checkpointLsn) pinned.set(0, true);
                if (reference.segmentsLetGoOfPinned() > 0) pinned.set(1, true); // a live connection's segments read before the checkpoint
            });
            // The counters of the last run: rerun cheaply for them.
            LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
            CheckpointReference reference = new CheckpointReference();
            SplittableRandom again = new SplittableRandom(random.nextLong());
            List<LoggedRecord> traffic = RetentionTraffic.generate(again, 60);
            for (LoggedRecord r : traffic) {
                add(set, reference, 2 * r.lsn(), r.record());
                if (again.nextInt(100) < 4) add(set, reference, 2 * r.lsn() + 1, reference.checkpoint(again, again.nextInt(4) == 0));
            }
            if (set.checkpointsApplied() > 0) appliedRuns[0]++;
            if (set.checkpointsRefused() > 0) refusedRuns[0]++;
            if (set.droppedByCheckpoints() > 0) droppingRuns[0]++;
            if (pinned.getFirst()) pinningRuns[0]++;
            if (pinned.get(1)) readRuns[0]++;
        }
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        assertTrue(appliedRuns[0] > 10, where + ": applied " + appliedRuns[0]);
        assertTrue(refusedRuns[0] > 10, where + ": refused " + refusedRuns[0]);
        assertTrue(droppingRuns[0] > 10, where + ": dropping " + droppingRuns[0]);
        assertTrue(pinningRuns[0] > 10, where + ": pinning " + pinningRuns[0]);
        assertTrue(readRuns[0] > 10, where + ": live connections' segments let go " + readRuns[0]);
    }
}
