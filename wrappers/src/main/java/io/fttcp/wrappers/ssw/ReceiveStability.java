package io.fttcp.wrappers.ssw;

/**
 * Which client sequence space is covered by stable SEGMENT records: {@link #stableRcv()} is the
 * end of the contiguous stable part from the client's ISN + 1 (a logged FIN counts one). Logged
 * ranges wait here by LSN until stable; stable ranges beyond a gap wait as islands until the
 * gap is filled. Sequence numbers compare modulo 2^32.
 */
final class ReceiveStability {
    /** Islands beyond this many are dropped: only conservative (the client retransmits into the gap). */
    static final int MAX_ISLANDS = 64;

    private int stableRcv;
    private long[] pendingLsn = new long[8];
    private int[] pendingStart = new int[8];
    private int[] pendingEnd = new int[8];
    private int head;
    private int count;
    private final int[] islandStart = new int[MAX_ISLANDS];
    private final int[] islandEnd = new int[MAX_ISLANDS];
    private int islands;

    ReceiveStability(int clientIsn) {
        this.stableRcv = clientIsn + 1;
    }

    int stableRcv() {
        return stableRcv;
    }

    boolean hasPending() {
        return count > 0;
    }

    /** A SEGMENT record with LSN {@code lsn} covers client sequence [start, end). */
    void logged(long lsn, int start, int end) {
        if (end - start <= 0) return;
        if (count == pendingLsn.length) grow();
        int i = (head + count) & (pendingLsn.length - 1);
        pendingLsn[i] = lsn;
        pendingStart[i] = start;
        pendingEnd[i] = end;
        count++;
    }

    /** Absorbs every range whose record is now stable; returns true if {@link #stableRcv()} moved. */
    boolean advance(long stableLsn) {
        int before = stableRcv;
        int mask = pendingLsn.length - 1;
        while (count > 0 && pendingLsn[head] <= stableLsn) {
            absorb(pendingStart[head], pendingEnd[head]);
            head = (head + 1) & mask;
            count--;
        }
        return stableRcv != before;
    }

    private void absorb(int start, int end) {
        if (start - stableRcv > 0) {
            if (islands < MAX_ISLANDS) {
                islandStart[islands] = start;
                islandEnd[islands] = end;
                islands++;
            }
            return;
        }
        if (end - stableRcv <= 0) return;
        stableRcv = end;
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int i = 0; i < islands; i++) {
                if (islandStart[i] - stableRcv <= 0) {
                    if (islandEnd[i] - stableRcv > 0) stableRcv = islandEnd[i];
                    islands--;
                    islandStart[i] = islandStart[islands];
                    islandEnd[i] = islandEnd[islands];
                    i--;
                    moved = true;
                }
            }
        }
    }

    private void grow() {
        int n = pendingLsn.length;
        long[] l = new long[n * 2];
        int[] s = new int[n * 2], e = new int[n * 2];
        for (int k = 0; k < count; k++) {
            int i = (head + k) & (n - 1);
            l[k] = pendingLsn[i];
            s[k] = pendingStart[i];
            e[k] = pendingEnd[i];
        }
        pendingLsn = l;
        pendingStart = s;
        pendingEnd = e;
        head = 0;
    }
}
