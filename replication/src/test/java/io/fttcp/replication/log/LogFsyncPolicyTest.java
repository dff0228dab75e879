package io.fttcp.replication.log;

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

import static org.junit.jupiter.api.Assertions.*;

/** What each fsync policy makes durable, and when (time is a fake clock: plain numbers passed in). */
class LogFsyncPolicyTest {
    private static final long MS = 1_000_000;
    private static final FourTuple TUPLE = new FourTuple(0x0a000001, 80, 0x0a000002, 40000);

    @TempDir
    Path tmp;

    private static Record segment(int payloadBytes) {
        return new Segment(TUPLE, 1, 2, 0x10, 65535, 0, 0, new byte[payloadBytes]);
    }

    private RecordLog open(String name, LogConfig config) throws IOException {
        return RecordLog.open(tmp.resolve(name), config);
    }

    private static long fileBytes(RecordLog log) throws IOException {
        long sum = 0;
        for (LogSegment s : LogRecovery.list(log.directory())) {
            sum += Files.size(s.file());
        }
        return sum;
    }

    @Test
    void alwaysMakesACommittedBurstDurableWithOneForce() throws IOException {
        try (RecordLog log = open("always", LogConfig.defaults().withFsyncPolicy(FsyncPolicy.ALWAYS))) {
            List<Long> told = new ArrayList<>();
            log.addDurabilityListener(told::add);
            assertEquals(Long.MAX_VALUE, log.commitDeadline());
            for (int i = 0; i < 3; i++) {
                log.append(segment(100), 0);
            }
            assertEquals(0, log.durableLsn(), "appended, not committed: not durable");
            assertEquals(Long.MIN_VALUE, log.commitDeadline(), "ALWAYS wants its commit at once");
            log.commit(0);
            assertEquals(3, log.durableLsn());
            assertEquals(1, log.forces(), "one force for the burst");
            assertEquals(List.of(3L), told);
            log.commit(1);
            assertEquals(1, log.forces(), "nothing pending, nothing forced");
            log.append(segment(0), 5 * MS);
            log.commit(5 * MS);
            assertEquals(4, log.durableLsn());
            assertEquals(2, log.forces());
            assertEquals(List.of(3L, 4L), told);
        }
    }

    @Test
    void neverWritesOnCommitAndNeverForces() throws IOException {
        try (RecordLog log = open("never", LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER))) {
            log.append(segment(100), 0);
            log.append(segment(100), 0);
            assertEquals(0, log.durableLsn());
            assertEquals(0, fileBytes(log), "buffered until the commit");
            log.commit(0);
            assertEquals(2, log.durableLsn(), "NEVER: durable once written");
            assertEquals(log.bytesWritten(), fileBytes(log));
            assertTrue(log.bytesWritten() > 200);
            assertEquals(0, log.forces());
            assertEquals(Long.MAX_VALUE, log.commitDeadline());
            log.sync(0);
            assertEquals(1, log.forces(), "sync forces whatever the policy");
        }
    }

    @Test
    void batchForcesAtMostOncePerWindow() throws IOException {
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.BATCH).withBatchWindowNanos(2 * MS);
        try (RecordLog log = open("batch", config)) {
            List<Long> told = new ArrayList<>();
            log.addDurabilityListener(told::add);
            log.append(segment(10), 0);
            assertEquals(Long.MIN_VALUE, log.commitDeadline(), "first force is due at once");
            log.commit(0);
            assertEquals(1, log.durableLsn(), "no force for a window yet: forced at once");
            assertEquals(1, log.forces());

            long before = fileBytes(log);
            log.append(segment(10), MS / 2);
            log.commit(MS / 2);
            assertEquals(1, log.durableLsn(), "inside the window: written, not forced");
            assertTrue(fileBytes(log) > before, "written at the commit");
            assertEquals(2 * MS, log.commitDeadline(), "the force waits for the window's end");
            log.append(segment(10), MS);
            log.commit(2 * MS - 1);
            assertEquals(1, log.durableLsn(), "1 ns early");
            assertEquals(1, log.forces());
            log.commit(2 * MS);
            assertEquals(3, log.durableLsn(), "window over: both forced together");
            assertEquals(2, log.forces());
            assertEquals(Long.MAX_VALUE, log.commitDeadline());

            log.append(segment(10), 10 * MS);
            log.commit(10 * MS);
            assertEquals(4, log.durableLsn(), "after a quiet spell a commit forces at once");
            assertEquals(3, log.forces());
            assertEquals(List.of(1L, 3L, 4L), told);
        }
    }

    @Test
    void batchForcesWhenTheBufferFills() throws IOException {
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.BATCH).withBatchWindowNanos(2 * MS)
                .withMaxBodyLength(4096).withBatchBufferBytes(8192);
        try (RecordLog log = open("full", config)) {
            log.append(segment(10), 0);
            log.commit(0); // the window starts now
            long frame = io.fttcp.replication.codec.FrameEncoder.frameLength(segment(1000));
            int fit = (int) (8192 / frame);
            for (int i = 0; i < fit; i++) {
                log.append(segment(1000), MS / 10);
            }
            assertEquals(1, log.durableLsn(), "the buffer holds " + fit + " frames");
            log.append(segment(1000), MS / 10);
            assertEquals(1 + fit, log.durableLsn(), "a full buffer is written and forced inside the window, without a commit");
            assertEquals(2, log.forces());
        }
    }

    @Test
    void aSegmentIsForcedBeforeTheNextIsStarted() throws IOException {
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.BATCH).withBatchWindowNanos(1000 * MS).withSegmentBytes(1000);
        try (RecordLog log = open("roll", config)) {
            log.append(segment(10), 0);
            log.commit(0);
            long lsn = 1;
            while (log.segmentCount() == 1) {
                lsn = log.append(segment(100), MS);
            }
            log.commit(MS);
            assertEquals(lsn - 1, log.durableLsn(), "the rolled segment was forced; the new one waits for its window");
            assertEquals(2, log.forces());
        }
    }

    @Test
    void closeForcesWhatIsPending() throws IOException {
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.BATCH);
        Path dir = tmp.resolve("close");
        try (RecordLog log = RecordLog.open(dir, config)) {
            log.append(segment(10), 0);
            log.append(segment(10), 0);
        }
        try (RecordLog log = RecordLog.open(dir, config)) {
            assertEquals(2, log.lastLsn());
            assertEquals(2, log.durableLsn(), "recovered records are forced at open, so durable");
        }
    }
}
