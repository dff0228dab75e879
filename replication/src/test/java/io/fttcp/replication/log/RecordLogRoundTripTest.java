package io.fttcp.replication.log;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class RecordLogRoundTripTest {
    @TempDir
    Path tmp;

    private static LogConfig smallSegments(SplittableRandom random, FsyncPolicy policy) {
        return LogConfig.defaults().withFsyncPolicy(policy).withMaxBodyLength(8192).withBatchBufferBytes(4096 + random.nextInt(20000))
                .withSegmentBytes(1 + random.nextInt(64 * 1024));
    }

    @Test
    void manyRandomRecordsSurviveSegmentRollsAndReopening() throws IOException {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String context = "seed " + seed;
        Path dir = tmp.resolve("log");
        LogConfig config = smallSegments(random, random.nextBoolean() ? FsyncPolicy.NEVER : FsyncPolicy.BATCH);
        RandomRecords records = new RandomRecords(random, 3000);
        List<Record> written = new ArrayList<>();
        long now = 0;
        try (RecordLog log = RecordLog.open(dir, config)) {
            assertEquals(0, log.recoveryReport().records(), context);
            for (int i = 0; i < 1500; i++) {
                Record r = records.next();
                assertEquals(i + 1, log.append(r, now), context);
                written.add(r);
                now += random.nextInt(1_000_000);
                if (random.nextInt(5) == 0) {
                    log.commit(now);
                }
            }
            log.sync(now);
            assertEquals(written.size(), log.durableLsn(), context);
            assertTrue(log.segmentCount() > 3, context + ": segments " + log.segmentCount() + " with " + config);
            LogTesting.assertReads(log, 1, written, 1, context + " before reopening");
        }
        LogTesting.placements(dir, 1, written); // every byte of every segment is one of the records, in order
        try (RecordLog log = RecordLog.open(dir, config)) {
            RecoveryReport report = log.recoveryReport();
            assertFalse(report.cut(), context + ": " + report);
            assertEquals(1, report.firstLsn(), context);
            assertEquals(written.size(), report.lastLsn(), context);
            assertEquals(written.size(), log.durableLsn(), context);
            LogTesting.assertReads(log, 1, written, 1, context + " after reopening");
            long from = 1 + random.nextInt(written.size());
            LogTesting.assertReads(log, from, written, 1, context + " from LSN " + from);
            LogTesting.assertReads(log, written.size() + 1, written, 1, context + " from the end");
            for (int i = 0; i < 300; i++) {
                Record r = records.next();
                log.append(written.size() + 1, r, now);
                written.add(r);
            }
            // Appended but not committed: readable all the same.
            LogTesting.assertReads(log, 1, written, 1, context + " appending after reopening");
        }
        try (RecordLog log = RecordLog.open(dir, config)) {
            assertEquals(written.size(), log.lastLsn(), context);
            int segments = log.segmentCount();
            long cutBelow = 1 + random.nextInt(written.size());
            int deleted = log.truncateBefore(cutBelow);
            assertEquals(segments - deleted, log.segmentCount(), context);
            assertTrue(log.firstLsn() <= cutBelow, context + ": truncateBefore(" + cutBelow + ") dropped LSN " + (log.firstLsn() - 1));
            try (var files = Files.list(dir)) {
                assertEquals(log.segmentCount(), files.filter(LogSegment::looksLikeSegment).count(), context);
            }
            List<Record> kept = written.subList((int) log.firstLsn() - 1, written.size());
            LogTesting.assertReads(log, log.firstLsn(), kept, log.firstLsn(), context + " after truncateBefore(" + cutBelow + ")");
            long first = log.firstLsn();
            assertThrows(IllegalArgumentException.class, () -> log.read(first - 1), context);
            if (log.segmentCount() > 1) {
                assertTrue(deleted == 0 || log.firstLsn() > 1, context);
            }
        }
        try (RecordLog log = RecordLog.open(dir, config)) {
            List<Record> kept = written.subList((int) log.firstLsn() - 1, written.size());
            LogTesting.assertReads(log, log.firstLsn(), kept, log.firstLsn(), context + " reopened after truncateBefore");
            assertEquals(log.firstLsn(), log.recoveryReport().firstLsn(), context);
        }
    }

    @Test
    void truncateBeforeKeepsEverySegmentWithARecordAtOrAboveTheLsn() throws IOException {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withSegmentBytes(1000).withMaxBodyLength(4096);
        RandomRecords records = new RandomRecords(random, 400);
        try (RecordLog log = RecordLog.open(tmp.resolve("gc"), config)) {
            for (int i = 0; i < 400; i++) {
                log.append(records.next(), 0);
            }
            log.commit(0);
            List<LogSegment> before = LogRecovery.list(log.directory());
            long lsn = 1 + random.nextInt(400);
            log.truncateBefore(lsn);
            List<LogSegment> after = LogRecovery.list(log.directory());
            for (int i = 0; i < before.size(); i++) {
                long next = i + 1 < before.size() ? before.get(i + 1).firstLsn() : Long.MAX_VALUE;
                boolean allBelow = next <= lsn;
                assertEquals(!allBelow, after.contains(before.get(i)), "seed " + seed + ": segment " + before.get(i) + " for LSN " + lsn);
            }
            assertEquals(log.firstLsn(), after.getFirst().firstLsn(), "seed " + seed);
        }
    }

    @Test
    void anEmptyLogStartsAtTheFirstLsnAppended() throws IOException {
        RandomRecords records = new RandomRecords(new SplittableRandom(1), 100);
        Path dir = tmp.resolve("late");
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER);
        Record a = records.next();
        Record b = records.next();
        try (RecordLog log = RecordLog.open(dir, config)) {
            log.append(1000, a, 0);
            assertThrows(IllegalArgumentException.class, () -> log.append(1000, b, 0));
            assertThrows(IllegalArgumentException.class, () -> log.append(1002, b, 0));
            log.append(1001, b, 0);
        }
        assertTrue(Files.exists(dir.resolve("00000000000000001000.seg")));
        try (RecordLog log = RecordLog.open(dir, config)) {
            assertEquals(1000, log.firstLsn());
            assertEquals(1001, log.lastLsn());
            LogTesting.assertReads(log, 1000, List.of(a, b), 1000, "late start");
        }
    }

    /** A record the log refuses (too large) leaves an empty log as it was: it does not start at the refused record's LSN. */
    @Test
    void aRefusedFirstRecordLeavesAnEmptyLogWhereItWas() throws IOException {
        Path dir = tmp.resolve("refused");
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withMaxBodyLength(4096);
        Record tooLarge = new Segment(new FourTuple(0x0a000001, 80, 0x0a000002, 40000), 1, 2, 0x18, 65535, 0, 0, new byte[8192]);
        try (RecordLog log = RecordLog.open(dir, config)) {
            assertThrows(IllegalArgumentException.class, () -> log.append(1000, tooLarge, 0));
            assertTrue(log.isEmpty());
            assertEquals(1, log.firstLsn());
            assertEquals(0, log.lastLsn());
            assertEquals(0, log.durableLsn());
        }
    }

    @Test
    void aLogIsOpenOnceAtATime() throws IOException {
        Path dir = tmp.resolve("locked");
        try (RecordLog log = RecordLog.open(dir, LogConfig.defaults())) {
            IOException e = assertThrows(IOException.class, () -> RecordLog.open(dir, LogConfig.defaults()));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
        }
        RecordLog.open(dir, LogConfig.defaults()).close();
    }
}
