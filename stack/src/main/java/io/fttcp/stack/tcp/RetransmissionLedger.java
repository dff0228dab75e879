package io.fttcp.stack.tcp;

/**
 * The retransmissions still unacknowledged on a SACK connection, for finding those that were lost
 * in turn (RFC 8985's lost-retransmission detection, judged by send order instead of time).
 * Each remembers its place among the retransmissions and how far new data had gone when it
 * left. It is lost once the peer SACKs something sent after it: a later retransmission, or new
 * data beyond that point. Without this only a timeout repaired it, backed off, and on a lossy
 * link backed off again and again, since Karn's rule lets no retransmission reset the timer.
 *
 * <p>A retransmission found lost is sent again once: that resend (one over any part of a range
 * found lost) is never marked lost in turn, and if lost is left to the timer. The peer's SACKs
 * cannot show which copy of a range arrived (the original may have, late), so marking by them
 * again and again let any receiver that SACKs older segments last make the sender resend every
 * outstanding retransmission on each ACK.
 *
 * <p>Ranges are disjoint and sorted by sequence number; a retransmission over older ones replaces
 * them. At most {@link #MAX_ENTRIES} are kept: past that a retransmission goes unrecorded, and
 * its loss is left to the timer.
 */
final class RetransmissionLedger {
    static final int MAX_ENTRIES = 4096;

    private int[] start = new int[8];
    private int[] end = new int[8];
    /** snd.max when the retransmission left: data from there on was first sent after it. */
    private int[] newDataEnd = new int[8];
    private long[] order = new long[8];
    private boolean[] lost = new boolean[8];
    /** A resend of a retransmission found lost: not marked lost again. */
    private boolean[] resent = new boolean[8];
    private int count;
    private long sent;
    /** The place of the latest-sent retransmission known to have arrived. */
    private long latestDelivered = -1;
    /**
     * What the last {@link #update} saw: an ACK that changes none of it (a duplicate, or one
     * repeating old blocks) finds nothing new, and is not worth a pass over every entry.
     */
    private boolean recordedSinceUpdate = true;
    private int updatedUna;
    private SackScoreboard updatedWith;
    private long updatedVersion;
    /** Passes {@link #update} made over the entries (each costs one scoreboard lookup per entry). */
    private long passes;

    boolean isEmpty() { return count == 0; }

    void clear() {
        count = 0;
        recordedSinceUpdate = true;
    }

    /** Records the retransmission of [s, e) now, with new data sent up to {@code sndMax}. */
    void record(int s, int e, int sndMax) {
        long place = ++sent;
        recordedSinceUpdate = true;
        int i = 0;
        while (i < count && Seq.le(end[i], s)) i++;
        boolean resend = false;
        for (int k = i; k < count && Seq.lt(start[k], e); k++) resend |= lost[k] || resent[k];
        // An older range reaching into [s, e) keeps only its part before s; those inside go; one
        // reaching past e keeps its part after e.
        if (i < count && Seq.lt(start[i], s)) {
            int tailEnd = end[i];
            end[i] = s;
            i++;
            if (Seq.gt(tailEnd, e)) {
                insert(i, e, tailEnd, newDataEnd[i - 1], order[i - 1], lost[i - 1], resent[i - 1]);
            }
        }
        int j = i;
        while (j < count && Seq.le(end[j], e)) j++;
        if (j < count && Seq.lt(start[j], e)) start[j] = e;
        remove(i, j);
        insert(i, s, e, sndMax, place, false, resend);
    }

    /**
     * Forgets what arrived (below snd.una, or SACKed in full), notes the latest of it, and marks
     * lost every retransmission the peer's SACKs show was overtaken. Returns how many were newly
     * marked.
     */
    int update(int sndUna, SackScoreboard sacked) {
        long version = sacked == null ? 0 : sacked.version();
        if (!recordedSinceUpdate && sndUna == updatedUna && sacked == updatedWith && version == updatedVersion) return 0;
        recordedSinceUpdate = false;
        updatedUna = sndUna;
        updatedWith = sacked;
        updatedVersion = version;
        passes++;
        int kept = 0;
        for (int i = 0; i < count; i++) {
            boolean arrived = Seq.le(end[i], sndUna)
                    || sacked != null && sacked.sackedIn(Seq.max(start[i], sndUna), end[i]) == end[i] - Seq.max(start[i], sndUna);
            if (arrived) {
                latestDelivered = Math.max(latestDelivered, order[i]);
            } else {
                if (Seq.lt(start[i], sndUna)) start[i] = sndUna;
                copy(i, kept++);
            }
        }
        count = kept;
        int highestSacked = sacked == null || sacked.isEmpty() ? sndUna : sacked.highestSacked();
        int marked = 0;
        for (int i = 0; i < count; i++) {
            if (!lost[i] && !resent[i] && (order[i] < latestDelivered || Seq.gt(highestSacked, newDataEnd[i]))) {
                lost[i] = true;
                marked++;
            }
        }
        return marked;
    }

    /** Start of the lowest retransmission found lost and not yet sent again, or {@code none} if there is none. */
    int lowestLost(int none) {
        for (int i = 0; i < count; i++) if (lost[i]) return start[i];
        return none;
    }

    boolean anyLost() {
        for (int i = 0; i < count; i++) if (lost[i]) return true;
        return false;
    }

    /** Bytes of retransmissions found lost, less what the peer SACKed of them: no longer in the network. */
    long lostBytes(SackScoreboard sacked) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            if (lost[i]) n += (end[i] - start[i]) - (sacked == null ? 0 : sacked.sackedIn(start[i], end[i]));
        }
        return n;
    }

    int size() { return count; }

    long passes() { return passes; }

    private void insert(int at, int s, int e, int dataEnd, long place, boolean isLost, boolean isResend) {
        if (count == MAX_ENTRIES) return;
        if (count == start.length) grow();
        int moved = count - at;
        System.arraycopy(start, at, start, at + 1, moved);
        System.arraycopy(end, at, end, at + 1, moved);
        System.arraycopy(newDataEnd, at, newDataEnd, at + 1, moved);
        System.arraycopy(order, at, order, at + 1, moved);
        System.arraycopy(lost, at, lost, at + 1, moved);
        System.arraycopy(resent, at, resent, at + 1, moved);
        start[at] = s;
        end[at] = e;
        newDataEnd[at] = dataEnd;
        order[at] = place;
        lost[at] = isLost;
        resent[at] = isResend;
        count++;
    }

    private void remove(int from, int to) {
        if (to <= from) return;
        int moved = count - to;
        System.arraycopy(start, to, start, from, moved);
        System.arraycopy(end, to, end, from, moved);
        System.arraycopy(newDataEnd, to, newDataEnd, from, moved);
        System.arraycopy(order, to, order, from, moved);
        System.arraycopy(lost, to, lost, from, moved);
        System.arraycopy(resent, to, resent, from, moved);
        count -= to - from;
    }

    private void copy(int from, int to) {
        if (from == to) return;
        start[to] = start[from];
        end[to] = end[from];
        newDataEnd[to] = newDataEnd[from];
        order[to] = order[from];
        lost[to] = lost[from];
        resent[to] = resent[from];
    }

    private void grow() {
        int n = start.length * 2;
        start = java.util.Arrays.copyOf(start, n);
        end = java.util.Arrays.copyOf(end, n);
        newDataEnd = java.util.Arrays.copyOf(newDataEnd, n);
        order = java.util.Arrays.copyOf(order, n);
        lost = java.util.Arrays.copyOf(lost, n);
        resent = java.util.Arrays.copyOf(resent, n);
    }
}
