package io.fttcp.replication.log;

import io.fttcp.replication.codec.FrameFormat;

import java.util.Objects;

/**
 * How a {@link RecordLog} stores records.
 *
 * @param fsyncPolicy      when appended records are forced to disk (and so acknowledged)
 * @param batchWindowNanos {@link FsyncPolicy#BATCH}: least time between two forces. The default,
 *                         2 ms, is about one fsync on commodity flash (so a busy log spends at most
 *                         about half its time forcing), bounds fsyncs to 500 per second per log, and
 *                         adds at most 2 ms to the acknowledgement of a record: far below the
 *                         client's delayed-ACK (40 ms) and minimum retransmission (200 ms) timers,
 *                         so clamped ACKs and held output never make a client retransmit
 * @param segmentBytes     a segment is rolled before it would grow past this (a single larger
 *                         record still gets a segment of its own)
 * @param batchBufferBytes appends are gathered in a buffer of this size (at least one maximal
 *                         frame); when it fills it is written (and, unless NEVER, forced)
 * @param maxBodyLength    the largest record body accepted and read back; keep it equal to the
 *                         replication stream's ({@link FrameFormat#DEFAULT_MAX_BODY_LENGTH})
 */
public record LogConfig(FsyncPolicy fsyncPolicy, long batchWindowNanos, long segmentBytes, int batchBufferBytes,
                        int maxBodyLength) {
    public static final long DEFAULT_BATCH_WINDOW_NANOS = 2_000_000L;
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final int DEFAULT_BATCH_BUFFER_BYTES = 1 << 20;

    public LogConfig {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        if (batchWindowNanos < 0) {
            throw new IllegalArgumentException("negative batch window: " + batchWindowNanos + " ns");
        }
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("segment size must be positive: " + segmentBytes);
        }
        if (batchBufferBytes < 4096) {
            throw new IllegalArgumentException("batch buffer under 4096 bytes: " + batchBufferBytes);
        }
        if (maxBodyLength < 64 || maxBodyLength > FrameFormat.LARGEST_MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("max body length " + maxBodyLength + " outside 64.." + FrameFormat.LARGEST_MAX_BODY_LENGTH);
        }
    }

    /** Batch fsync every 2 ms, 64 MiB segments, 1 MiB batch buffer, the stream's maximum body. */
    public static LogConfig defaults() {
        return new LogConfig(FsyncPolicy.BATCH, DEFAULT_BATCH_WINDOW_NANOS, DEFAULT_SEGMENT_BYTES,
                DEFAULT_BATCH_BUFFER_BYTES, FrameFormat.DEFAULT_MAX_BODY_LENGTH);
    }

    public LogConfig withFsyncPolicy(FsyncPolicy policy) {
        return new LogConfig(policy, batchWindowNanos, segmentBytes, batchBufferBytes, maxBodyLength);
    }

    public LogConfig withBatchWindowNanos(long nanos) {
        return new LogConfig(fsyncPolicy, nanos, segmentBytes, batchBufferBytes, maxBodyLength);
    }

    public LogConfig withSegmentBytes(long bytes) {
        return new LogConfig(fsyncPolicy, batchWindowNanos, bytes, batchBufferBytes, maxBodyLength);
    }

    public LogConfig withBatchBufferBytes(int bytes) {
        return new LogConfig(fsyncPolicy, batchWindowNanos, segmentBytes, bytes, maxBodyLength);
    }

    public LogConfig withMaxBodyLength(int bytes) {
        return new LogConfig(fsyncPolicy, batchWindowNanos, segmentBytes, batchBufferBytes, bytes);
    }

    /** Capacity of the append buffer: the configured size, or one maximal frame if that is larger. */
    int bufferCapacity() {
        return Math.max(batchBufferBytes, FrameFormat.OVERHEAD + maxBodyLength);
    }
}
