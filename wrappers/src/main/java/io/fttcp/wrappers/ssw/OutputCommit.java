package io.fttcp.wrappers.ssw;

/**
 * Output-commit requirements of one connection, from the north-side wrapper: "bytes below stream
 * offset X need LSN L". A requirement covers the bytes from the previous requirement's X up to
 * its own X; the bytes of a write thus wait only for what was logged before that write, not for
 * what later writes need. Offsets and LSNs are kept non-decreasing (a requirement that would go
 * backwards raises the last one instead: conservative). Bytes no requirement covers yet wait.
 */
final class OutputCommit {
    /** LSN of bytes no requirement covers: never stable. */
    static final long UNCOVERED = Long.MAX_VALUE;

    private long[] ends = new long[8];
    private long[] lsns = new long[8];
    private int head;
    private int count;

    /**
     * Bytes [start, end) need {@code lsn}. Requirements already covering bytes at or above
     * {@code start} are raised to it: those bytes were handed over again by a later write (the
     * rest of a partial write), so they depend on what was logged before that write.
     */
    void require(long start, long end, long lsn) {
        int mask = ends.length - 1;
        for (int k = count - 1; k >= 0; k--) {
            int i = (head + k) & mask;
            if (ends[i] <= start) break;
            lsns[i] = Math.max(lsns[i], lsn);
        }
        require(end, lsn);
    }

    void require(long end, long lsn) {
        int mask = ends.length - 1;
        if (count > 0) {
            int last = (head + count - 1) & mask;
            if (end <= ends[last]) {
                lsns[last] = Math.max(lsns[last], lsn);
                return;
            }
            lsn = Math.max(lsn, lsns[last]);
        }
        if (count == ends.length) {
            grow();
            mask = ends.length - 1;
        }
        int i = (head + count) & mask;
        ends[i] = end;
        lsns[i] = lsn;
        count++;
    }

    /** The LSN that must be stable before the bytes below {@code end} (exclusive) may leave. */
    long lsnNeededBelow(long end) {
        // Binary search (ends are non-decreasing): asked for every packet, and an application
        // that writes ahead leaves one requirement per write queued in the stack.
        int mask = ends.length - 1;
        int lo = 0, hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[(head + mid) & mask] >= end) hi = mid;
            else lo = mid + 1;
        }
        return lo < count ? lsns[(head + lo) & mask] : UNCOVERED;
    }

    /** Bytes below {@code releasedEnd} have left; requirements only about them are done. */
    void released(long releasedEnd) {
        int mask = ends.length - 1;
        while (count > 0 && ends[head] <= releasedEnd) {
            head = (head + 1) & mask;
            count--;
        }
    }

    private void grow() {
        int n = ends.length;
        long[] e = new long[n * 2], l = new long[n * 2];
        for (int k = 0; k < count; k++) {
            int i = (head + k) & (n - 1);
            e[k] = ends[i];
            l[k] = lsns[i];
        }
        ends = e;
        lsns = l;
        head = 0;
    }
}
