package io.fttcp.wrappers.ssw;

/**
 * Which client sequence space is covered by stable SEGMENT records: {@link #stableRcv()} is the
 * end of the contiguous stable part from the client's ISN + 1 (a logged FIN counts one). Logged
 * ranges wait here by LSN until stable; stable ranges beyond a gap wait as islands until the
 * gap is filled. Sequence numbers compare modulo 2^32.
 */
final class ReceiveStability {
    /**
     * Distinct islands kept at most. Adjacent and overlapping islands merge, so this many means a
     * client scattering tiny segments on purpose; beyond it the island farthest ahead is dropped,
     * which is only conservative: its bytes are not counted stable until the client retransmits
     * them, and a retransmission is logged (and acknowledged) again.
     */
    static final int MAX_ISLANDS = 1024;

    private int stableRcv;
    private long[] pendingLsn = new long[8];
    private int[] pendingStart = new int[8];
    private int[] pendingEnd = new int[8];
    private int head;
    private int count;
    /** Stable ranges beyond stableRcv, disjoint and not adjacent, in no particular order. */
    private int[] islandStart = new int[4];
    private int[] islandEnd = new int[4];
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

    int islandCount() {
        return islands;
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
        if (end - stableRcv <= 0) return;
        // Merge every island that overlaps or touches [start, end) into it.
        for (int i = 0; i < islands; i++) {
            if (islandStart[i] - end <= 0 && start - islandEnd[i] <= 0) {
                if (islandStart[i] - start < 0) start = islandStart[i];
                if (islandEnd[i] - end > 0) end = islandEnd[i];
                removeIsland(i--);
            }
        }
        if (start - stableRcv <= 0) {
            stableRcv = end; // the merged range joins the contiguous part; nothing else touches it
            return;
        }
        if (islands == MAX_ISLANDS) {
            int farthest = 0;
            for (int i = 1; i < islands; i++) if (islandStart[i] - islandStart[farthest] > 0) farthest = i;
            if (start - islandStart[farthest] > 0) return; // the new one is the farthest: drop it
            removeIsland(farthest);
        }
        if (islands == islandStart.length) {
            islandStart = java.util.Arrays.copyOf(islandStart, islands * 2);
            islandEnd = java.util.Arrays.copyOf(islandEnd, islands * 2);
        }
        islandStart[islands] = start;
        islandEnd[islands] = end;
        islands++;
    }

    private void removeIsland(int i) {
        islands--;
        islandStart[i] = islandStart[islands];
        islandEnd[i] = islandEnd[islands];
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
