package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/**
 * Out-of-order data above rcv.nxt, as disjoint blocks sorted by sequence number. Created only
 * when a gap appears and dropped when it closes. Also remembers where the most recent
 * out-of-order segments landed, so SACK blocks can be reported most recent first (RFC 2018 4).
 */
final class ReassemblyQueue {
    private int[] starts = new int[8];
    private byte[][] blocks = new byte[8][];
    private int count;
    private long bytes;
    /** Sequence numbers of recent out-of-order arrivals, most recent first. */
    private final int[] recent = new int[TcpSegment.MAX_SACK_BLOCKS];
    private int recentCount;

    boolean isEmpty() { return count == 0; }

    long bytes() { return bytes; }

    private int end(int i) { return starts[i] + blocks[i].length; }

    /** Stores payload bytes [from, from+len) of src as sequence [seq, seq+len), keeping bytes already held. */
    void insert(int seq, ByteBuffer src, int from, int len) {
        int end = seq + len;
        int cur = seq;
        int i = 0;
        while (i < count && Seq.le(end(i), cur)) i++;
        while (Seq.lt(cur, end)) {
            if (i < count && Seq.le(starts[i], cur)) {
                cur = end(i);
                i++;
                continue;
            }
            int gapEnd = i < count ? Seq.min(end, starts[i]) : end;
            int n = gapEnd - cur;
            byte[] data = new byte[n];
            src.get(from + (cur - seq), data, 0, n);
            insertAt(i, cur, data);
            i++;
            cur = gapEnd;
        }
        noteArrival(seq);
    }

    private void insertAt(int i, int start, byte[] data) {
        if (count == starts.length) {
            starts = java.util.Arrays.copyOf(starts, count * 2);
            blocks = java.util.Arrays.copyOf(blocks, count * 2);
        }
        System.arraycopy(starts, i, starts, i + 1, count - i);
        System.arraycopy(blocks, i, blocks, i + 1, count - i);
        starts[i] = start;
        blocks[i] = data;
        count++;
        bytes += data.length;
    }

    private void noteArrival(int seq) {
        int left = rangeStart(seq);
        int kept = 0;
        int[] old = recent.clone();
        int oldCount = recentCount;
        recent[kept++] = seq;
        for (int k = 0; k < oldCount && kept < recent.length; k++) {
            if (rangeStart(old[k]) != left) recent[kept++] = old[k];
        }
        recentCount = kept;
    }

    /** Moves blocks that now start at or below rcvNxt into dst; returns the new rcv.nxt. */
    int drainInto(int rcvNxt, ByteQueue dst) {
        int removed = 0;
        while (removed < count && Seq.le(starts[removed], rcvNxt)) {
            int e = end(removed);
            if (Seq.gt(e, rcvNxt)) {
                int skip = rcvNxt - starts[removed];
                dst.append(blocks[removed], skip, blocks[removed].length - skip);
                rcvNxt = e;
            }
            bytes -= blocks[removed].length;
            removed++;
        }
        if (removed > 0) {
            System.arraycopy(starts, removed, starts, 0, count - removed);
            System.arraycopy(blocks, removed, blocks, 0, count - removed);
            for (int k = count - removed; k < count; k++) blocks[k] = null;
            count -= removed;
        }
        return rcvNxt;
    }

    /** Index of the block containing seq, or -1. */
    private int find(int seq) {
        int lo = 0, hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.lt(seq, starts[mid])) hi = mid - 1;
            else if (Seq.ge(seq, end(mid))) lo = mid + 1;
            else return mid;
        }
        return -1;
    }

    /** Left edge of the contiguous run of blocks containing seq, or seq itself when none does. */
    private int rangeStart(int seq) {
        int i = find(seq);
        if (i < 0) return seq;
        while (i > 0 && end(i - 1) == starts[i]) i--;
        return starts[i];
    }

    private int rangeEnd(int seq) {
        int i = find(seq);
        if (i < 0) return seq;
        while (i + 1 < count && end(i) == starts[i + 1]) i++;
        return end(i);
    }

    /** Fills the segment's SACK blocks (at most max), most recent arrival first; ranges at or below rcvNxt are skipped. */
    void fillSack(TcpSegment seg, int rcvNxt, int max) {
        int n = 0;
        for (int k = 0; k < recentCount && n < max; k++) {
            int s = recent[k];
            if (find(s) < 0) continue;
            int left = rangeStart(s), right = rangeEnd(s);
            if (Seq.le(right, rcvNxt)) continue;
            boolean dup = false;
            for (int j = 0; j < n; j++) dup |= seg.sackLeft[j] == left;
            if (dup) continue;
            seg.sackLeft[n] = left;
            seg.sackRight[n] = right;
            n++;
        }
        // Fill remaining slots with other ranges (lowest first) so the sender learns the whole picture.
        for (int i = 0; i < count && n < max; i++) {
            int left = starts[i];
            if (i > 0 && end(i - 1) == left) continue;
            boolean dup = false;
            for (int j = 0; j < n; j++) dup |= seg.sackLeft[j] == left;
            if (dup) continue;
            seg.sackLeft[n] = left;
            seg.sackRight[n] = rangeEnd(left);
            n++;
        }
        seg.sackBlockCount = n;
    }

    /** Copies held blocks (for checkpoints, not part of the stream until rcv.nxt reaches them). */
    int blockCount() { return count; }
}
