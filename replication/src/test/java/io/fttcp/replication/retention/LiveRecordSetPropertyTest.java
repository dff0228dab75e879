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

    /** Lingering bounds small enough for the traffic to reach them, and the defaults (rarely reached here). */
    private static final int[] MAX_LINGERING = {0, 1, 2, 3, 5, LiveRecordSet.DEFAULT_MAX_LINGERING};
    private static final long[] MAX_LINGERING_BYTES = {0, 400, 2_000, 6_000, 20_000, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES};

    @RepeatedTest(60)
    void connectionScopedMatchesTheReference() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> records = RetentionTraffic.generate(random, 5 + random.nextInt(80));
        int maxLingering = MAX_LINGERING[random.nextInt(MAX_LINGERING.length)];
        long maxBytes = MAX_LINGERING_BYTES[random.nextInt(MAX_LINGERING_BYTES.length)];
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, maxLingering, maxBytes);
        RetentionReference reference = new RetentionReference(maxLingering, maxBytes);
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
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), after record #" + at + ", " + set;
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
        assertEquals(reference.lingeringConnections(), set.lingeringConnections(), where);
        assertEquals(reference.lingeringBytes(), set.lingeringPayloadBytes(), where);
        assertEquals(reference.evictedByCount + reference.evictedByBytes, set.evictedConnections(), where);
        assertEquals(reference.notRetained, set.recordsNotRetained(), where);
    }

    @RepeatedTest(10)
    void everythingKeepsEveryRecord() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> records = RetentionTraffic.generate(random, 5 + random.nextInt(40));
        LiveRecordSet set = new LiveRecordSet(RetentionPolicy.EVERYTHING);
        RetentionReference reference = new RetentionReference(0, 0);
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
        assertEquals(0, set.lingeringConnections(), where);
        assertEquals(0, set.recordsNotRetained(), where);
    }

    /** The generator must exercise every outcome, or the property above proves little. */
    @Test
    void trafficCoversFinishedLingeringEvictedAndLiveConnections() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        int finishedRuns = 0, liveRuns = 0, droppedRuns = 0, lingeringRuns = 0, byCountRuns = 0, byBytesRuns = 0;
        for (int run = 0; run < 20; run++) {
            List<LoggedRecord> records = RetentionTraffic.generate(random, 60);
            LiveRecordSet none = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
            LiveRecordSet some = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 3, 6_000);
            RetentionReference reference = new RetentionReference(3, 6_000);
            for (LoggedRecord r : records) {
                none.add(r.lsn(), r.record());
                some.add(r.lsn(), r.record());
                reference.add(r.lsn(), r.record());
            }
            if (none.liveConnections() > 0) liveRuns++;
            if (none.retainedRecords() < records.size() / 2) finishedRuns++;
            if (none.recordsNotRetained() > 0) droppedRuns++;
            if (some.lingeringConnections() > 0 && some.retainedRecords() > none.retainedRecords()) lingeringRuns++;
            if (reference.evictedByCount > 0) byCountRuns++;
            if (reference.evictedByBytes > 0) byBytesRuns++;
        }
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        assertTrue(liveRuns > 10, where + ": live " + liveRuns);
        assertTrue(finishedRuns > 10, where + ": mostly dropped " + finishedRuns);
        assertTrue(droppedRuns > 10, where + ": not retained " + droppedRuns);
        assertTrue(lingeringRuns > 10, where + ": lingering " + lingeringRuns);
        assertTrue(byCountRuns > 10, where + ": evicted by count " + byCountRuns);
        assertTrue(byBytesRuns > 10, where + ": evicted by bytes " + byBytesRuns);
    }
}
