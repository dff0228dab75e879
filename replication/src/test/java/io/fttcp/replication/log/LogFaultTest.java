package io.fttcp.replication.log;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Writes logs, damages their segment files at random (truncation, flipped bytes, garbage,
 * removed ranges, deleted segments), and checks that reopening either recovers exactly the
 * prefix of records that is intact, or, when the damage is not a torn tail of the last
 * segment, refuses with a {@link CorruptLogException} naming the damaged file and the offset
 * of the first bad frame, changing no file. Any other outcome fails with the seed.
 */
class LogFaultTest {
    private static final int CASES = 300;

    @TempDir
    Path tmp;

    /** What reopening must do: recover {@code prefix} records, or refuse at {@code file}/{@code offset}. */
    private record Expected(String damage, long prefix, Path file, long offset) {
        static Expected recovers(String damage, long prefix) {
            return new Expected(damage, prefix, null, -1);
        }

        static Expected refused(String damage, Path file, long offset) {
            return new Expected(damage, -1, file, offset);
        }

        boolean refused() {
            return file != null;
        }
    }

    @Test
    @Timeout(120)
    void damagedLogsRecoverTheIntactPrefixOrAreRefusedAtTheFirstBadFrame() throws IOException {
        long seed = Seeds.next();
        SplittableRandom master = new SplittableRandom(seed);
        Map<String, Integer> outcomes = new HashMap<>();
        for (int c = 0; c < CASES; c++) {
            long caseSeed = master.nextLong();
            String outcome = runCase(tmp.resolve("case" + c), new SplittableRandom(caseSeed), "seed " + seed + " case " + c);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.println("log fault test, seed " + seed + ": " + outcomes);
        assertTrue(outcomes.getOrDefault("recovered after a cut", 0) > 20, "seed " + seed + ": " + outcomes);
        assertTrue(outcomes.getOrDefault("refused", 0) > 20, "seed " + seed + ": " + outcomes);
    }

    private String runCase(Path dir, SplittableRandom random, String context) throws IOException {
        LogConfig config = LogConfig.defaults().withFsyncPolicy(FsyncPolicy.NEVER).withMaxBodyLength(2048).withBatchBufferBytes(4096)
                .withSegmentBytes(300 + random.nextInt(2700));
        RandomRecords records = new RandomRecords(random, 400);
        List<Record> written = new ArrayList<>();
        for (int i = 10 + random.nextInt(70); i > 0; i--) {
            written.add(records.next());
        }
        LogTesting.write(dir, config, written);
        List<LogTesting.Placement> placed = LogTesting.placements(dir, 1, written);
        Expected expected = damage(random, placed);
        context = context + " (" + expected.damage() + ", " + written.size() + " records, "
                + LogRecovery.list(dir).size() + " segments)";

        Map<Path, Long> sizes = new HashMap<>();
        for (LogSegment s : LogRecovery.list(dir)) {
            sizes.put(s.file(), Files.size(s.file()));
        }
        RecordLog log;
        try {
            log = RecordLog.open(dir, config);
        } catch (CorruptLogException e) {
            if (!expected.refused()) {
                throw new AssertionError(context + ": expected " + expected.prefix() + " records recovered, got " + e, e);
            }
            assertEquals(expected.file(), e.file(), context + ": " + e.getMessage());
            assertEquals(expected.offset(), e.offset(), context + ": " + e.getMessage());
            for (Map.Entry<Path, Long> size : sizes.entrySet()) {
                assertEquals(size.getValue(), Files.size(size.getKey()), context + ": a refused recovery changed " + size.getKey());
            }
            return "refused";
        } catch (Exception e) {
            throw new AssertionError(context + ": reopening threw " + e, e);
        }
        boolean cut;
        try (log) {
            if (expected.refused()) {
                fail(context + ": expected refusal at " + expected.file().getFileName() + " offset " + expected.offset()
                        + ", recovered " + log.recoveryReport());
            }
            RecoveryReport report = log.recoveryReport();
            assertEquals(expected.prefix(), report.lastLsn(), context + ": " + report);
            assertEquals(expected.prefix(), log.lastLsn(), context);
            LogTesting.assertReads(log, log.firstLsn(), written.subList(0, (int) expected.prefix()), 1, context + ": " + report);
            cut = report.cut();
            if (cut && report.emptySegmentRemoved() != null) {
                // Cut to no record, and the only segment: removed, the log holding nothing, as a fresh one.
                assertEquals(report.cutFile(), report.emptySegmentRemoved(), context + ": " + report);
                assertFalse(Files.exists(report.cutFile()), context + ": " + report);
            } else if (cut) {
                assertEquals(report.cutOffset(), Files.size(report.cutFile()), context + ": " + report);
            }
            log.append(written.getFirst(), 0); // the log goes on from the recovered prefix
        }
        try (RecordLog again = RecordLog.open(dir, config)) {
            assertFalse(again.recoveryReport().cut(), context + ": after recovery and an append: " + again.recoveryReport());
            assertEquals(expected.prefix() + 1, again.lastLsn(), context);
        }
        return cut ? "recovered after a cut" : "recovered intact";
    }

    /** Damages the log at random; returns what reopening it must do. */
    private static Expected damage(SplittableRandom random, List<LogTesting.Placement> placed) throws IOException {
        List<Path> files = placed.stream().map(LogTesting.Placement::file).distinct().toList();
        Path last = files.getLast();
        Path any = files.get(random.nextInt(files.size()));
        int kind = random.nextInt(8);
        if (kind == 1 && files.size() == 1) {
            kind = 0;
        }
        switch (kind) {
            case 0 -> {
                long cut = random.nextLong(Files.size(last));
                truncate(last, cut);
                return Expected.recovers("last segment cut at " + cut, intactBefore(placed, last, cut));
            }
            case 1 -> {
                Path file = files.get(random.nextInt(files.size() - 1));
                long cut = random.nextLong(Files.size(file));
                truncate(file, cut);
                return Expected.refused("segment " + file.getFileName() + " cut at " + cut, file, frameAt(placed, file, cut).offset());
            }
            case 2, 3 -> {
                // 2: anywhere in any segment; 3: near the end of the last (mostly torn tails)
                Path file = kind == 2 ? any : last;
                long size = Files.size(file);
                long from = kind == 2 ? 0 : Math.max(0, size - 1 - random.nextInt(200));
                TreeSet<Long> positions = new TreeSet<>();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    positions.add(from + random.nextLong(size - from));
                }
                for (long p : positions) {
                    flip(file, p, 1 + random.nextInt(255));
                }
                TreeSet<Long> badFrames = new TreeSet<>();
                for (long p : positions) {
                    badFrames.add(frameAt(placed, file, p).lsn());
                }
                LogTesting.Placement first = placed.get((int) (badFrames.first() - 1));
                String what = "bytes flipped in " + file.getFileName() + " at " + positions;
                boolean laterFrameIntact = placed.stream().anyMatch(p -> p.file().equals(file) && p.lsn() > first.lsn()
                        && !badFrames.contains(p.lsn()));
                if (file.equals(last) && !laterFrameIntact) {
                    return Expected.recovers(what, first.lsn() - 1);
                }
                return Expected.refused(what, file, first.offset());
            }
            case 4 -> {
                byte[] garbage = new byte[1 + random.nextInt(500)];
                if (random.nextBoolean()) {
                    random.nextBytes(garbage);
                }
                Files.write(last, garbage, StandardOpenOption.APPEND);
                return Expected.recovers(garbage.length + " bytes of garbage after the last frame", placed.size());
            }
            case 5 -> {
                byte[] original = Files.readAllBytes(last);
                long cut = random.nextLong(original.length);
                truncate(last, cut);
                byte[] garbage = new byte[1 + random.nextInt(500)];
                random.nextBytes(garbage);
                Files.write(last, garbage, StandardOpenOption.APPEND);
                // Garbage that happens to begin with the bytes it replaced rebuilds those frames exactly.
                long rebuilt = cut;
                while (rebuilt < original.length && rebuilt - cut < garbage.length && garbage[(int) (rebuilt - cut)] == original[(int) rebuilt]) {
                    rebuilt++;
                }
                return Expected.recovers("last segment cut at " + cut + " and " + garbage.length + " bytes of garbage appended",
                        intactBefore(placed, last, rebuilt));
            }
            case 6 -> {
                Files.delete(last);
                long before = placed.stream().filter(p -> !p.file().equals(last)).count();
                return Expected.recovers("last segment deleted", before);
            }
            default -> {
                long size = Files.size(any);
                long start = random.nextLong(size);
                long end = start + 1 + random.nextLong(Math.min(size - start, 300));
                removeRange(any, start, end);
                LogTesting.Placement first = frameAt(placed, any, start);
                String what = "bytes " + start + " to " + end + " removed from " + any.getFileName();
                boolean laterFrameIntact = placed.stream().anyMatch(p -> p.file().equals(any) && p.offset() >= end);
                if (any.equals(last) && !laterFrameIntact) {
                    return Expected.recovers(what, first.lsn() - 1);
                }
                return Expected.refused(what, any, first.offset());
            }
        }
    }

    /** Records wholly before {@code cut} in {@code file}, and all before that file. */
    private static long intactBefore(List<LogTesting.Placement> placed, Path file, long cut) {
        return placed.stream().filter(p -> !p.file().equals(file) || p.end() <= cut).count();
    }

    /** The frame of {@code file} holding byte {@code offset}. */
    private static LogTesting.Placement frameAt(List<LogTesting.Placement> placed, Path file, long offset) {
        return placed.stream().filter(p -> p.file().equals(file) && p.offset() <= offset && offset < p.end()).findFirst()
                .orElseThrow(() -> new AssertionError("no frame of " + file + " holds offset " + offset));
    }

    private static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    private static void flip(Path file, long offset, int mask) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ mask)).rewind();
            ch.write(b, offset);
        }
    }

    private static void removeRange(Path file, long start, long end) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] out = new byte[bytes.length - (int) (end - start)];
        System.arraycopy(bytes, 0, out, 0, (int) start);
        System.arraycopy(bytes, (int) end, out, (int) start, bytes.length - (int) end);
        Files.write(file, out);
    }
}
