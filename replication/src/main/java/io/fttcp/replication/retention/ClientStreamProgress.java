package io.fttcp.replication.retention;

import java.util.Map;
import java.util.TreeMap;

/**
 * How far the client's byte stream of one connection is contiguous, and where its FIN is: the
 * part of the backup's client-stream reconstruction that decides whether a connection is
 * finished, without the bytes. Offsets count from the client's ISN + 1; a sequence number is
 * read as the offset nearest the contiguous end (sequence numbers wrap at 2^32), exactly as
 * the backup reads it. Not thread-safe.
 */
final class ClientStreamProgress {
    private final int base;
    private long end;
    /** Ranges beyond a hole: start offset to the furthest end seen at that start. Rare, so created lazily. */
    private TreeMap<Long, Long> ahead;
    private long finOffset = -1;

    ClientStreamProgress(int clientIsn) {
        this.base = clientIsn + 1;
    }

    long offsetOf(int seq) {
        return end + (int) ((seq - base) - (int) end);
    }

    /** True if {@code seq} lies before the client's SYN: not of this connection's sequence space. */
    boolean beforeSyn(int seq) {
        return offsetOf(seq) < -1;
    }

    /** A segment of {@code length} payload bytes at {@code seq} (not {@linkplain #beforeSyn before the SYN}). */
    void offer(int seq, int length, boolean fin) {
        long offset = offsetOf(seq);
        if (fin && finOffset < 0) {
            finOffset = offset + length;
        }
        if (length == 0 || offset + length <= end) {
            return;
        }
        if (offset > end) {
            if (ahead == null) {
                ahead = new TreeMap<>();
            }
            ahead.merge(offset, offset + length, Math::max);
            return;
        }
        end = offset + length;
        if (ahead != null) {
            for (Map.Entry<Long, Long> e = ahead.firstEntry(); e != null && e.getKey() <= end; e = ahead.firstEntry()) {
                ahead.pollFirstEntry();
                end = Math.max(end, e.getValue());
            }
        }
    }

    /** The FIN is known and every byte before it arrived. */
    boolean finReached() {
        return finOffset >= 0 && end >= finOffset;
    }
}
