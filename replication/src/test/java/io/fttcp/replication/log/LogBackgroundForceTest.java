package io.fttcp.replication.log;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Forces on the log's own thread: the owner keeps appending, and learns of completed forces when woken. */
class LogBackgroundForceTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void forcesCompleteInTheBackgroundAndTheOwnerCollectsThem() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (FsyncPolicy policy : new FsyncPolicy[] {FsyncPolicy.ALWAYS, FsyncPolicy.BATCH}) {
            String context = "seed " + seed + " " + policy;
            Path dir = tmp.resolve(policy.name());
            LogConfig config = LogConfig.defaults().withFsyncPolicy(policy).withSegmentBytes(4_000 + random.nextInt(4_000))
                    .withMaxBodyLength(4096).withBatchBufferBytes(8192).withBatchWindowNanos(500_000);
            Semaphore wakeups = new Semaphore(0);
            Thread owner = Thread.currentThread();
            List<Long> told = new ArrayList<>();
            List<Record> written = new ArrayList<>();
            RandomRecords records = new RandomRecords(random, 2000);
            try (RecordLog log = RecordLog.open(dir, config, wakeups::release)) {
                log.addDurabilityListener(lsn -> {
                    assertSame(owner, Thread.currentThread(), context + ": listeners run in the owner's thread");
                    told.add(lsn);
                });
                for (int i = 0; i < 400; i++) {
                    Record r = records.next();
                    log.append(r, System.nanoTime());
                    written.add(r);
                    if (random.nextInt(8) == 0) {
                        log.commit(System.nanoTime());
                    }
                    assertTrue(log.durableLsn() <= log.lastLsn(), context);
                }
                log.commit(System.nanoTime());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (log.durableLsn() < written.size()) {
                    assertTrue(System.nanoTime() < deadline, context + ": durable LSN stuck at " + log.durableLsn());
                    long wait = Math.max(0, log.commitDeadline() - System.nanoTime());
                    wakeups.tryAcquire(Math.min(wait, 10_000_000), TimeUnit.NANOSECONDS);
                    log.commit(System.nanoTime());
                }
                assertTrue(log.segmentCount() > 3, context + ": segments " + log.segmentCount());
                assertTrue(log.forces() >= 1, context);
                LogTesting.assertReads(log, 1, written, 1, context);
            }
            for (int i = 1; i < told.size(); i++) {
                assertTrue(told.get(i) > told.get(i - 1), context + ": durable LSNs told " + told);
            }
            assertEquals((long) written.size(), told.getLast(), context);
            try (RecordLog log = RecordLog.open(dir, config)) {
                assertFalse(log.recoveryReport().cut(), context + ": " + log.recoveryReport());
                LogTesting.assertReads(log, 1, written, 1, context + " reopened");
            }
        }
    }

    /**
     * A segment is forced before the next one is created, forces on the log's own thread
     * included (the next was created at once, so a crash could leave an unforced, torn segment
     * before the last, which recovery refuses): once the append that started a new segment
     * returns, every record of the previous one is durable.
     */
    @Test
    void aSegmentIsForcedBeforeTheNextIsCreated() throws IOException {
        for (FsyncPolicy policy : new FsyncPolicy[] {FsyncPolicy.ALWAYS, FsyncPolicy.BATCH}) {
            LogConfig config = LogConfig.defaults().withFsyncPolicy(policy).withSegmentBytes(4096).withBatchBufferBytes(8192)
                    .withBatchWindowNanos(TimeUnit.SECONDS.toNanos(10));
            try (RecordLog log = RecordLog.open(tmp.resolve("rolls-" + policy), config, () -> { })) {
                int rolls = 0;
                for (long i = 1; rolls < 20; i++) {
                    int segments = log.segmentCount();
                    long lsn = log.append(new io.fttcp.replication.record.Seed(i), 0);
                    if (log.segmentCount() > segments && segments > 0) {
                        rolls++;
                        assertEquals(lsn - 1, log.durableLsn(), policy + ": the segment before LSN " + lsn + " is not forced");
                    }
                }
            }
        }
    }

    /**
     * A roll waits for the full segment's force under its owner's lock (a logger's cluster), so
     * the wait has a bound: a force that does not come (a stalled disk; here, none asked for)
     * ends it, and the roll then fails the log instead of holding that lock without end.
     */
    @Test
    void aWaitForAForceThatDoesNotComeEndsAtItsBound() {
        SegmentForcer forcer = SegmentForcer.background("test-forcer", () -> { });
        try {
            long start = System.nanoTime();
            assertFalse(forcer.awaitForced(1, TimeUnit.MILLISECONDS.toNanos(300)), "no force reached LSN 1");
            long waited = System.nanoTime() - start;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(300) && waited < TimeUnit.SECONDS.toNanos(5), "waited " + waited / 1_000_000 + " ms");
            assertTrue(forcer.awaitForced(0, TimeUnit.MILLISECONDS.toNanos(300)), "what is forced needs no wait");
        } finally {
            forcer.close();
        }
    }

    @Test
    void closingForcesWhatIsQueued() throws IOException {
        Path dir = tmp.resolve("close");
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.BATCH);
        RandomRecords records = new RandomRecords(new SplittableRandom(7), 500);
        RecordLog log = RecordLog.open(dir, config, () -> { });
        for (int i = 0; i < 100; i++) {
            log.append(records.next(), 0);
        }
        log.commit(0);
        log.close();
        assertEquals(100, log.durableLsn(), "close waits for the forces it queued");
        assertTrue(log.forces() >= 1);
    }
}
