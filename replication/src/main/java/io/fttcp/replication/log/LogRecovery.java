package io.fttcp.replication.log;

import io.fttcp.replication.codec.CorruptRecordException;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameFormat;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opening a log: reads every segment in LSN order, checks every frame and that LSNs run on
 * without a gap or a duplicate, cuts a torn tail off the last segment, removes a sole segment
 * that holds no record, and refuses anything else.
 *
 * <p>A tail is torn when the last segment's first bad frame is followed by no valid record
 * frame with a higher LSN (at any byte offset after it): what a crash in the middle of a write
 * leaves (a partial frame, a frame whose CRC does not match, zeros or garbage after the last
 * good frame). A bad frame with a valid record after it is damage in the middle; so is any bad
 * frame in an earlier segment (segments are forced before the next one is started).
 */
final class LogRecovery {
    /** What recovery leaves for the log to continue from. */
    record Recovered(List<LogSegment> segments, long firstLsn, long nextLsn, long lastSegmentLength,
                     long lastSegmentRecords, RecoveryReport report) {
    }

    private LogRecovery() {
    }

    static Recovered recover(Path dir, LogConfig config) throws IOException {
        List<LogSegment> segments = list(dir);
        ByteBuffer buffer = ByteBuffer.allocateDirect(FrameFormat.OVERHEAD + config.maxBodyLength());
        long expected = 0;
        long previousEnd = 0;
        long segmentRecords = 0;
        long bytesCut = 0;
        Path cutFile = null;
        long cutOffset = -1;
        String cutReason = null;
        for (int i = 0; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (i > 0 && segment.firstLsn() != expected) {
                LogSegment previous = segments.get(i - 1);
                throw new CorruptLogException(previous.file(), previousEnd, "this segment ends at LSN " + (expected - 1)
                        + " but the next one, " + segment.file().getFileName() + ", starts at LSN " + segment.firstLsn()
                        + (segment.firstLsn() > expected ? " (records missing)" : " (records duplicated)"));
            }
            long lsn = segment.firstLsn();
            long end;
            try (SegmentReader reader = new SegmentReader(segment.file(), buffer, config.maxBodyLength())) {
                try {
                    while (reader.next()) {
                        if (reader.lsn() != lsn) {
                            throw new CorruptLogException(segment.file(), reader.frameOffset(), lsnMismatch(segment, reader.lsn(), lsn));
                        }
                        lsn++;
                    }
                    end = reader.validEnd();
                } catch (CorruptRecordException e) {
                    end = e.streamOffset();
                    String what = what(e);
                    if (!last) {
                        throw new CorruptLogException(segment.file(), end, what + "; in a segment before the last, so not a torn tail");
                    }
                    long follower = validRecordAfter(segment.file(), end + 1, lsn - 1, config.maxBodyLength());
                    if (follower >= 0) {
                        throw new CorruptLogException(segment.file(), end, what + "; a valid record with a later LSN follows at offset "
                                + follower + ", so this is not a torn tail");
                    }
                    bytesCut = cut(segment.file(), end);
                    cutFile = segment.file();
                    cutOffset = end;
                    cutReason = what;
                }
            }
            segmentRecords = lsn - segment.firstLsn();
            if (!last && segmentRecords == 0) {
                throw new CorruptLogException(segment.file(), 0, "an empty segment before the last");
            }
            expected = lsn;
            previousEnd = end;
        }
        Path emptyRemoved = null;
        if (segments.size() == 1 && segmentRecords == 0) {
            // A crash between a first segment's creation and its first write (or a torn first write): the log
            // holds nothing, and must say so as a fresh one does (LSN 1 next, nothing held), not "held up to N - 1".
            emptyRemoved = segments.removeFirst().file();
            Files.delete(emptyRemoved);
            SegmentForcer.forceDirectory(dir);
            previousEnd = 0;
        }
        long firstLsn = segments.isEmpty() ? 1 : segments.getFirst().firstLsn();
        long nextLsn = segments.isEmpty() ? 1 : expected;
        RecoveryReport report = new RecoveryReport(dir, segments.size(), firstLsn, nextLsn - 1, bytesCut, cutFile, cutOffset, cutReason,
                emptyRemoved);
        return new Recovered(segments, firstLsn, nextLsn, previousEnd, segmentRecords, report);
    }

    /** The log's segments in LSN order; other files are left alone, but a ".seg" file must be named as a segment. */
    static List<LogSegment> list(Path dir) throws IOException {
        List<LogSegment> segments = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!LogSegment.looksLikeSegment(file)) {
                    continue;
                }
                LogSegment segment = LogSegment.parse(file);
                if (segment == null) {
                    throw new CorruptLogException(file, 0, "a segment file whose name is not its first LSN in 20 digits");
                }
                segments.add(segment);
            }
        }
        segments.sort(Comparator.comparingLong(LogSegment::firstLsn));
        return segments;
    }

    private static String lsnMismatch(LogSegment segment, long found, long expected) {
        if (expected == segment.firstLsn()) {
            return "the first record has LSN " + found + " but the segment's name says " + expected;
        }
        return "a record with LSN " + found + " where " + expected + " was expected ("
                + (found > expected ? "records missing" : "a duplicate or an older record") + ")";
    }

    /** The decoder's description of the corruption, without its "at stream offset" prefix (the log names the offset). */
    private static String what(CorruptRecordException e) {
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }

    /**
     * Offset of the first valid record frame with an LSN above {@code lastGoodLsn} at or after
     * {@code from}, at any byte offset, or -1. (A torn tail's partial frame could carry a payload
     * that itself holds such a frame; that would be reported as damage in the middle, the safe
     * side.)
     */
    static long validRecordAfter(Path file, long from, long lastGoodLsn, int maxBodyLength) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            // Segments are far below 2 GiB; a file larger than that is probed in its first 2 GiB only.
            long size = Math.min(channel.size(), Integer.MAX_VALUE);
            if (size - from < FrameFormat.OVERHEAD) {
                return -1;
            }
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            Probe probe = new Probe();
            int maxFrame = FrameFormat.OVERHEAD + maxBodyLength;
            for (int at = (int) from; at <= size - FrameFormat.OVERHEAD; at++) {
                if (bytes.getShort(at) != FrameFormat.MAGIC) {
                    continue;
                }
                probe.lsn = -1;
                try {
                    ByteBuffer candidate = bytes.slice(at, (int) Math.min(size - at, maxFrame));
                    if (new FrameDecoder(maxBodyLength).decode(candidate, probe) && probe.lsn > lastGoodLsn) {
                        return at;
                    }
                } catch (ReplicationProtocolException notAFrame) {
                    // keep looking
                }
            }
            return -1;
        }
    }

    /** Keeps the LSN of a record frame; ignores control frames. */
    private static final class Probe implements FrameHandler {
        long lsn;

        @Override
        public void onRecord(long frameLsn, Record record) {
            lsn = frameLsn;
        }

        @Override
        public void onHandshake(Handshake handshake) {
        }

        @Override
        public void onReject(String reason) {
        }

        @Override
        public void onAck(long ackLsn, long echoNanos) {
        }

        @Override
        public void onHeartbeat(long heartbeatLsn, long sentAtNanos, long echoNanos) {
        }
    }

    /** Cuts {@code file} to {@code length} bytes and forces the cut; returns the bytes removed. */
    private static long cut(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long removed = channel.size() - length;
            channel.truncate(length);
            channel.force(true);
            return removed;
        }
    }
}
