package io.fttcp.bench.failover;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * When a client's reads returned and how many bytes each brought: the raw material of the
 * client-visible stall and of throughput over time. Times are {@link System#nanoTime()} values,
 * which on Linux all processes of the machine share (CLOCK_MONOTONIC), so a timeline recorded in
 * one process compares with an instant taken in another.
 */
public final class ReadTimeline {
    private long[] times = new long[1 << 14];
    private int[] sizes = new int[1 << 14];
    private int count;
    private long totalBytes;

    /** Records a read of {@code bytes} (> 0) that returned at {@code nanoTime}. No allocation unless the arrays grow. */
    public void record(long nanoTime, int bytes) {
        if (count == times.length) {
            times = Arrays.copyOf(times, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
        }
        times[count] = nanoTime;
        sizes[count] = bytes;
        count++;
        totalBytes += bytes;
    }

    public int reads() {
        return count;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long time(int read) {
        return times[read];
    }

    public int size(int read) {
        return sizes[read];
    }

    /**
     * The client-visible stall across a failure at {@code failureNanos}: the longest gap between
     * consecutive reads among those ending after the failure (bytes in flight may still arrive
     * after it; the stall is when they stop), and -1 if no read came after the failure.
     */
    public long stallAfter(long failureNanos) {
        return stallGapAfter(failureNanos).map(Gap::nanos).orElse(-1L);
    }

    /** The gap {@link #stallAfter} measures: from the last read before it to the first read after it. */
    public java.util.Optional<Gap> stallGapAfter(long failureNanos) {
        int longest = -1;
        for (int i = 1; i < count; i++) {
            if (times[i] > failureNanos && (longest < 0 || times[i] - times[i - 1] > times[longest] - times[longest - 1])) {
                longest = i;
            }
        }
        return longest < 0 ? java.util.Optional.empty() : java.util.Optional.of(new Gap(times[longest - 1], times[longest]));
    }

    /** A time without reads: from the read that returned at {@code startNanos} to the next, at {@code endNanos}. */
    public record Gap(long startNanos, long endNanos) {
        public long nanos() {
            return endNanos - startNanos;
        }
    }

    /** The longest gap between consecutive reads that ended before {@code nanos}: the noise without a failure. */
    public long longestGapBefore(long nanos) {
        long longest = 0;
        for (int i = 1; i < count && times[i] <= nanos; i++) {
            longest = Math.max(longest, times[i] - times[i - 1]);
        }
        return longest;
    }

    /**
     * Bytes received per bin of {@code binNanos}, from {@code fromNanos} (inclusive) to
     * {@code toNanos} (exclusive): the data of a throughput-over-time plot.
     */
    public long[] bytesPerBin(long fromNanos, long toNanos, long binNanos) {
        if (binNanos <= 0 || toNanos <= fromNanos) {
            throw new IllegalArgumentException("need binNanos > 0 and toNanos > fromNanos");
        }
        long[] bins = new long[(int) ((toNanos - fromNanos + binNanos - 1) / binNanos)];
        for (int i = 0; i < count; i++) {
            if (times[i] >= fromNanos && times[i] < toNanos) {
                bins[(int) ((times[i] - fromNanos) / binNanos)] += sizes[i];
            }
        }
        return bins;
    }

    /** Writes the timeline (count, then time and size per read) so another process can read it. */
    public void writeTo(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
        data.writeInt(count);
        for (int i = 0; i < count; i++) {
            data.writeLong(times[i]);
            data.writeInt(sizes[i]);
        }
        data.flush();
    }

    /** Reads what {@link #writeTo} wrote. */
    public static ReadTimeline readFrom(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        int n = data.readInt();
        if (n < 0) {
            throw new IOException("corrupt timeline: " + n + " reads");
        }
        ReadTimeline t = new ReadTimeline();
        for (int i = 0; i < n; i++) {
            long time = data.readLong();
            int size = data.readInt();
            if (size <= 0) {
                throw new IOException("corrupt timeline: read " + i + " of " + size + " bytes");
            }
            t.record(time, size);
        }
        return t;
    }
}
