package io.fttcp.roles.logger;

import io.fttcp.replication.log.FsyncPolicy;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.log.RecordLog;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The logger's retention index against the in-memory retention it replaces: fed the same
 * records (its log taking them too, in small segments, truncated below the oldest retained LSN
 * as the logger does), its snapshots, SEGMENTs read back from the log, equal the in-memory
 * set's byte for byte, at every point and under both policies, lingering bounds included.
 */
class RetainedIndexTest {
    @TempDir
    Path root;

    @Test
    void snapshotsReadBackFromTheLogEqualTheInMemoryOnes() throws Exception {
        long base = Long.getLong("fttcp.index.seed", System.nanoTime());
        SplittableRandom seeds = new SplittableRandom(base);
        for (int run = 0; run < 40; run++) {
            long seed = seeds.nextLong();
            compare(seed, root.resolve("run" + run));
        }
    }

    /** A log that holds something else where retention kept a SEGMENT (changed under the logger) is a clear error, never a wrong snapshot. */
    @Test
    void aLogThatDisagreesWithTheIndexIsAnError() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        Traffic.Conversation c = new Traffic.Conversation(Traffic.client(1), random);
        List<Record> records = new ArrayList<>(c.open());
        records.addAll(c.exchange(100, 10));
        RetainedIndex index = new RetainedIndex(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
        try (RecordLog log = RecordLog.open(root.resolve("other"), LogConfig.defaults())) {
            long lsn = 0;
            for (Record r : records) {
                lsn++;
                index.add(lsn, r);
                log.append(lsn, r instanceof Segment ? new io.fttcp.replication.record.Seed(lsn) : r, 0);
            }
            log.commit(0);
            long through = lsn;
            IOException e = assertThrows(IOException.class, () -> index.snapshot(log, through));
            assertTrue(e.getMessage().contains("where retention kept"), e.getMessage());
        }
    }

    private static void compare(long seed, Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        RetentionPolicy policy = switch (random.nextInt(4)) {
            case 0 -> RetentionPolicy.EVERYTHING;
            case 1 -> RetentionPolicy.CHECKPOINTED;
            default -> RetentionPolicy.CONNECTION_SCOPED;
        };
        int lingering = random.nextInt(4);
        long lingeringBytes = random.nextInt(3) == 0 ? Long.MAX_VALUE / 4 : random.nextLong(1, 16_384);
        String where = "seed " + seed + " (-Dfttcp.index.seed to replay the run's base), " + policy + ", lingering " + lingering + "/" + lingeringBytes;
        List<Record> records = new ArrayList<>();
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) records.addAll(Traffic.serverRecords(random, 1 + random.nextInt(12), random.nextDouble(), 100 * i));
        LiveRecordSet reference = new LiveRecordSet(policy, lingering, lingeringBytes);
        RetainedIndex index = new RetainedIndex(policy, lingering, lingeringBytes);
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withBatchBufferBytes(1 << 16)
                .withSegmentBytes(4096 + random.nextInt(64 * 1024));
        int checks = 0;
        Checkpoints checkpoints = new Checkpoints();
        if (policy == RetentionPolicy.CHECKPOINTED) { // checkpoints of the application, matching the records, mixed in
            List<Record> with = new ArrayList<>();
            for (Record r : records) {
                with.add(r);
                checkpoints.add(r);
                if (random.nextInt(15) == 0) with.add(checkpoints.now());
            }
            records = with;
        }
        try (RecordLog log = RecordLog.open(dir, config)) {
            long lsn = 0;
            for (Record r : records) {
                lsn++;
                log.append(lsn, r, 0);
                reference.add(lsn, r);
                index.add(lsn, r);
                assertEquals(reference.oldestRetainedLsn(), index.oldestRetainedLsn(), where);
                if (random.nextInt(25) == 0 || lsn == records.size()) {
                    log.commit(0);
                    if (random.nextBoolean()) {
                        long oldest = index.oldestRetainedLsn();
                        log.truncateBefore(oldest == 0 ? log.lastLsn() + 1 : oldest);
                    }
                    long through = random.nextBoolean() ? lsn : random.nextLong(1, lsn + 1);
                    List<LoggedRecord> expected = reference.snapshot(through);
                    List<LoggedRecord> actual = index.snapshot(log, through);
                    assertEquals(expected, actual, where + ", through LSN " + through + " of " + lsn);
                    for (int i = 0; i < expected.size(); i++) {
                        if (expected.get(i).record() instanceof Segment s && s.payload().length > 0) {
                            assertNotSame(s, actual.get(i).record(), where + ": a payload is read back from the log, not kept");
                        }
                    }
                    assertEquals(reference.liveConnections(), index.liveConnections(), where);
                    assertEquals(reference.retainedRecords(), index.retainedRecords(), where);
                    assertEquals(reference.retainedPayloadBytes(), index.retainedPayloadBytes(), where);
                    checks++;
                }
            }
        }
        assertTrue(checks > 0, where);
        if (policy == RetentionPolicy.CHECKPOINTED && records.stream().anyMatch(r -> r instanceof io.fttcp.replication.record.Checkpoint)) {
            assertTrue(reference.checkpointsApplied() > 0, where + ": no checkpoint applied, refused " + reference.checkpointsRefused());
        }
    }

    /**
     * Checkpoints of the server's application that match {@link Traffic}'s records (every live
     * accepted connection with its read and output offsets, shut and closed flags, and its output
     * from the client's acknowledgement on); Traffic's clients send in order, so a connection is
     * finished once closed, its FIN seen and our FIN acknowledged.
     */
    private static final class Checkpoints {
        private static final class State {
            final io.fttcp.replication.record.Connect connect;
            boolean accepted, shut, closed, fin;
            long read, output, acked;

            State(io.fttcp.replication.record.Connect connect) {
                this.connect = connect;
            }
        }

        private final java.util.Map<io.fttcp.stack.tcp.FourTuple, State> live = new java.util.LinkedHashMap<>();

        void add(Record r) {
            switch (r) {
                case io.fttcp.replication.record.Connect c -> live.put(c.tuple(), new State(c));
                case io.fttcp.replication.record.Accept a -> {
                    State s = live.get(a.connection());
                    if (s != null) s.accepted = true;
                }
                case io.fttcp.replication.record.Read rd -> {
                    State s = live.get(rd.connection());
                    if (s != null && rd.count() > 0) s.read += rd.count();
                }
                case io.fttcp.replication.record.Write w -> {
                    State s = live.get(w.connection());
                    if (s != null && w.count() > 0) s.output = Math.max(s.output, w.offset() + w.count());
                }
                case io.fttcp.replication.record.Close c -> {
                    State s = live.get(c.socket());
                    if (s != null) {
                        s.shut |= c.how() != io.fttcp.replication.record.Close.How.SHUTDOWN_INPUT;
                        s.closed |= c.how() == io.fttcp.replication.record.Close.How.CLOSE;
                        finish(s);
                    }
                }
                case Segment g -> {
                    State s = live.get(g.tuple());
                    if (s == null) return;
                    s.fin |= (g.flags() & Traffic.FIN) != 0;
                    s.acked = Math.max(s.acked, (int) (g.ack() - (s.connect.serverIsn() + 1)));
                    finish(s);
                }
                default -> { }
            }
        }

        private void finish(State s) {
            if (s.closed && s.fin && s.acked > s.output) live.remove(s.connect.tuple());
        }

        io.fttcp.replication.record.Checkpoint now() {
            List<io.fttcp.replication.record.Checkpoint.Entry> entries = new ArrayList<>();
            for (State s : live.values()) {
                if (!s.accepted) continue;
                long start = Math.min(s.acked, s.output);
                entries.add(new io.fttcp.replication.record.Checkpoint.Entry(s.connect.tuple(), s.read, s.output, s.shut, s.closed, start,
                        new byte[(int) (s.output - start)]));
            }
            return new io.fttcp.replication.record.Checkpoint(Traffic.LISTENER, new byte[] {7}, entries);
        }
    }
}
