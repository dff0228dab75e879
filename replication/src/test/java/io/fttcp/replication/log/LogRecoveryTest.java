package io.fttcp.replication.log;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.record.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Recovery's verdict on each kind of damage, with exact offsets. */
class LogRecoveryTest {
    private static final LogConfig CONFIG = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withSegmentBytes(1200)
            .withMaxBodyLength(4096);

    @TempDir
    Path tmp;
    private Path dir;
    private final List<Record> written = new ArrayList<>();
    private List<LogTesting.Placement> placed;

    @BeforeEach
    void writeLog() throws IOException {
        dir = tmp.resolve("log");
        RandomRecords records = new RandomRecords(new SplittableRandom(42), 300);
        for (int i = 0; i < 120; i++) {
            written.add(records.next());
        }
        LogTesting.write(dir, CONFIG, written);
        placed = LogTesting.placements(dir, 1, written);
        assertTrue(LogRecovery.list(dir).size() >= 3, "test log needs several segments");
    }

    private LogTesting.Placement last() {
        return placed.getLast();
    }

    private Path lastFile() {
        return last().file();
    }

    private LogTesting.Placement firstOf(Path file) {
        return placed.stream().filter(p -> p.file().equals(file)).findFirst().orElseThrow();
    }

    private static void flip(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, offset);
        }
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private void assertRecovers(int records, long bytesCut, String why) throws IOException {
        try (RecordLog log = RecordLog.open(dir, CONFIG)) {
            RecoveryReport report = log.recoveryReport();
            assertEquals(records, report.lastLsn(), report.toString());
            assertEquals(bytesCut, report.bytesCut(), report.toString());
            if (bytesCut > 0) {
                assertTrue(report.cutReason().contains(why), report.toString());
                assertEquals(lastFile(), report.cutFile());
                assertEquals(report.cutOffset(), Files.size(lastFile()), "file cut at the reported offset");
            }
            LogTesting.assertReads(log, 1, written.subList(0, records), 1, report.toString());
            Record extra = written.getFirst();
            log.append(extra, 0);
        }
        try (RecordLog log = RecordLog.open(dir, CONFIG)) {
            assertFalse(log.recoveryReport().cut(), "appending after a cut leaves a clean log: " + log.recoveryReport());
            assertEquals(records + 1, log.lastLsn());
        }
    }

    private CorruptLogException assertRefused(Path file, long offset, String why) throws IOException {
        long before = Files.size(file);
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> RecordLog.open(dir, CONFIG).close());
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("offset " + offset), e.getMessage());
        assertEquals(before, Files.size(file), "nothing cut");
        return e;
    }

    @Test
    void anIntactLogRecoversWhole() throws IOException {
        assertRecovers(written.size(), 0, "");
    }

    @Test
    void aPartialLastFrameIsCut() throws IOException {
        truncate(lastFile(), last().offset() + 7);
        assertRecovers(written.size() - 1, 7, "ends inside a frame");
    }

    @Test
    void aCrcMismatchInTheLastFrameIsCut() throws IOException {
        flip(lastFile(), last().end() - 1);
        assertRecovers(written.size() - 1, last().length(), "CRC32C mismatch");
    }

    @Test
    void zerosAfterTheLastFrameAreCut() throws IOException {
        appendBytes(lastFile(), new byte[4096]);
        assertRecovers(written.size(), 4096, "bad magic");
    }

    @Test
    void anEmptyLastSegmentIsKept() throws IOException {
        truncate(lastFile(), 0);
        int kept = (int) (firstOf(lastFile()).lsn() - 1);
        try (RecordLog log = RecordLog.open(dir, CONFIG)) {
            assertEquals(kept, log.lastLsn());
            assertEquals(LogRecovery.list(dir).size(), log.segmentCount());
        }
    }

    /**
     * A crash between the creation of a log's first segment (named by its first record's LSN: a
     * catch-up into an empty log starts above 1) and its first write leaves it empty, or holding a
     * torn frame: the log holds nothing, as a fresh one, not "every record up to that LSN - 1" (a
     * logger answered a primary so, and refused its catch-up as records missing, on every redial).
     */
    @Test
    void anEmptySoleSegmentIsRemovedAndTheLogHoldsNothing() throws IOException {
        for (byte[] content : List.of(new byte[0], new byte[] {(byte) 0xfa, 0x17, 1})) {
            String where = content.length + " byte(s) in the segment";
            Path sole = tmp.resolve("sole-" + content.length);
            Files.createDirectories(sole);
            Path segment = sole.resolve("00000000000000000500.seg");
            Files.write(segment, content);
            try (RecordLog log = RecordLog.open(sole, CONFIG)) {
                assertTrue(log.isEmpty(), where);
                assertEquals(0, log.lastLsn(), where);
                assertEquals(1, log.nextLsn(), where);
                assertEquals(0, log.durableLsn(), where);
                assertEquals(0, log.segmentCount(), where);
                assertFalse(Files.exists(segment), where);
                assertEquals(segment, log.recoveryReport().emptySegmentRemoved(), where);
                assertTrue(log.recoveryReport().toString().contains("removed 00000000000000000500.seg"), log.recoveryReport().toString());
                log.append(700, written.getFirst(), 0); // an empty log starts where its first record says, as a fresh one
            }
            try (RecordLog log = RecordLog.open(sole, CONFIG)) {
                assertEquals(700, log.firstLsn(), where);
                assertEquals(700, log.lastLsn(), where);
            }
        }
    }

    @Test
    void aBadFrameFollowedByAGoodOneStopsRecovery() throws IOException {
        LogTesting.Placement victim = placed.get(placed.size() - 2);
        assertEquals(lastFile(), victim.file(), "test log: last two records in one segment");
        flip(victim.file(), victim.offset() + 20);
        CorruptLogException e = assertRefused(victim.file(), victim.offset(), "not a torn tail");
        assertTrue(e.getMessage().contains("follows at offset " + last().offset()), e.getMessage());
    }

    @Test
    void aBadFrameInAnEarlierSegmentStopsRecovery() throws IOException {
        LogTesting.Placement victim = placed.stream().filter(p -> !p.file().equals(lastFile())).toList().getLast();
        flip(victim.file(), victim.offset() + 3);
        assertRefused(victim.file(), victim.offset(), "before the last");
    }

    @Test
    void aMissingSegmentIsAGap() throws IOException {
        List<LogSegment> segments = LogRecovery.list(dir);
        Files.delete(segments.get(1).file());
        assertRefused(segments.get(0).file(), Files.size(segments.get(0).file()), "records missing");
    }

    @Test
    void aDuplicatedFrameIsRefused() throws IOException {
        byte[] lastFrame = new byte[(int) last().length()];
        try (FileChannel ch = FileChannel.open(lastFile(), StandardOpenOption.READ)) {
            ch.read(ByteBuffer.wrap(lastFrame), last().offset());
        }
        appendBytes(lastFile(), lastFrame);
        assertRefused(lastFile(), last().end(), "where " + (written.size() + 1) + " was expected");
    }

    @Test
    void aSegmentNamedWronglyIsRefused() throws IOException {
        List<LogSegment> segments = LogRecovery.list(dir);
        LogSegment s = segments.get(1);
        Path renamed = LogSegment.in(dir, s.firstLsn() - 1).file();
        Files.move(s.file(), renamed);
        // The previous segment now ends one LSN after the renamed one starts.
        assertRefused(segments.get(0).file(), Files.size(segments.get(0).file()), "records duplicated");
    }

    @Test
    void aFileNamedLikeASegmentButNotOneIsRefused() throws IOException {
        Files.write(dir.resolve("notes.seg"), new byte[3]);
        assertRefused(dir.resolve("notes.seg"), 0, "name");
    }
}
