package io.fttcp.replication.retention;

import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Segment;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random traffic checked against {@link RetentionReference}, record by record. */
class LiveRecordSetPropertyTest {

    @RepeatedTest(40)
    void connectionScopedMatchesTheReference() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> records = RetentionTraffic.generate(random, 5 + random.nextInt(80));
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        RetentionReference reference = new RetentionReference();
        int checkEvery = 1 + random.nextInt(20);
        for (int i = 0; i < records.size(); i++) {
            LoggedRecord r = records.get(i);
            set.add(r.lsn(), r.record());
            reference.add(r.lsn(), r.record());
            if (i % checkEvery == 0 || i == records.size() - 1) {
                check(seed, i, set, reference, r.lsn(), random);
            }
        }
    }

    private static void check(long seed, int at, LiveRecordSet set, RetentionReference reference, long lastLsn, SplittableRandom random) {
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), after record #" + at;
        List<LoggedRecord> expected = reference.expected(Long.MAX_VALUE);
        assertEquals(expected, set.snapshot(Long.MAX_VALUE), where);
        long through = random.nextLong(lastLsn + 1);
        assertEquals(reference.expected(through), set.snapshot(through), where + ", through " + through);
        assertEquals(expected.size(), set.retainedRecords(), where);
        long payload = 0;
        for (LoggedRecord r : expected) {
            if (r.record() instanceof Segment s) payload += s.payload().length;
        }
        assertEquals(payload, set.retainedPayloadBytes(), where);
        assertEquals(expected.isEmpty() ? 0 : expected.getFirst().lsn(), set.oldestRetainedLsn(), where);
        assertEquals(reference.liveConnections(), set.liveConnections(), where);
        assertEquals(reference.notRetained, set.recordsNotRetained(), where);
    }

    @RepeatedTest(10)
    void everythingKeepsEveryRecord() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> records = RetentionTraffic.generate(random, 5 + random.nextInt(40));
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.EVERYTHING);
        RetentionReference reference = new RetentionReference();
        long payload = 0;
        for (LoggedRecord r : records) {
            set.add(r.lsn(), r.record());
            reference.add(r.lsn(), r.record());
            if (r.record() instanceof Segment s) payload += s.payload().length;
        }
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        assertEquals(records, set.snapshot(Long.MAX_VALUE), where);
        long through = random.nextLong(records.getLast().lsn() + 1);
        assertEquals(records.stream().filter(r -> r.lsn() <= through).toList(), set.snapshot(through), where);
        assertEquals(records.size(), set.retainedRecords(), where);
        assertEquals(payload, set.retainedPayloadBytes(), where);
        assertEquals(records.getFirst().lsn(), set.oldestRetainedLsn(), where);
        assertEquals(reference.liveConnections(), set.liveConnections(), where);
        assertEquals(0, set.recordsNotRetained(), where);
    }

    /** The generator must exercise every outcome, or the property above proves little. */
    @Test
    void trafficCoversFinishedAndLiveConnections() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        int finishedRuns = 0, liveRuns = 0, droppedRuns = 0;
        for (int run = 0; run < 20; run++) {
            List<LoggedRecord> records = RetentionTraffic.generate(random, 60);
            LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
            for (LoggedRecord r : records) set.add(r.lsn(), r.record());
            if (set.liveConnections() > 0) liveRuns++;
            if (set.retainedRecords() < records.size() / 2) finishedRuns++;
            if (set.recordsNotRetained() > 0) droppedRuns++;
        }
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        assertTrue(liveRuns > 10, where + ": live " + liveRuns);
        assertTrue(finishedRuns > 10, where + ": mostly dropped " + finishedRuns);
        assertTrue(droppedRuns > 10, where + ": not retained " + droppedRuns);
    }
}
