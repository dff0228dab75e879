package io.fttcp.stack.tcp;

/**
 * The sender's record of what the peer SACKed above snd.una (RFC 6675 scoreboard): disjoint
 * ranges sorted by sequence number. Created when the first SACK block arrives, dropped when
 * snd.una passes everything. The number of ranges is bounded by the caller ({@link #add}): a
 * receiver SACKing every other byte would otherwise make every operation here linear in the bytes
 * in flight.
 */
final class SackScoreboard {
    private int[] left = new int[8];
    private int[] right = new int[8];
    private int count;
    private long sacked;
    /** Counts the changes to the ranges: equal counts, equal contents. */
    private long version;

    boolean isEmpty() { return count == 0; }

    int rangeCount() { return count; }

    long sackedBytes() { return sacked; }

    long version() { return version; }

    /** Start of the lowest SACKed range; only meaningful when not empty. */
    int lowestSacked() { return left[0]; }

    /** End of the highest SACKed range; only meaningful when not empty. */
    int highestSacked() { return right[count - 1]; }

    /**
     * Records [l, r) once it is checked to lie within (snd.una, snd.max]. Returns false if it was
     * ignored because it needed a range beyond {@code maxRanges} (it extends no existing one).
     */
    boolean add(int l, int r, int sndUna, int sndMax, int maxRanges) {
        if (!Seq.lt(l, r) || Seq.le(r, sndUna) || Seq.gt(r, sndMax)) return true; // D-SACK or bogus
        if (Seq.lt(l, sndUna)) l = sndUna;
        int i = firstEndingAtOrAfter(l);
        int j = i;
        int nl = l, nr = r;
        long removed = 0;
        while (j < count && Seq.le(left[j], nr)) {
            nl = Seq.min(nl, left[j]);
            nr = Seq.max(nr, right[j]);
            removed += right[j] - left[j];
            j++;
        }
        int merged = j - i;
        if (merged == 1 && nl == left[i] && nr == right[i]) return true; // already SACKed
        if (merged == 0) {
            if (count >= maxRanges) return false;
            if (count == left.length) {
                left = java.util.Arrays.copyOf(left, count * 2);
                right = java.util.Arrays.copyOf(right, count * 2);
            }
            System.arraycopy(left, i, left, i + 1, count - i);
            System.arraycopy(right, i, right, i + 1, count - i);
            count++;
        } else if (merged > 1) {
            System.arraycopy(left, j, left, i + 1, count - j);
            System.arraycopy(right, j, right, i + 1, count - j);
            count -= merged - 1;
        }
        left[i] = nl;
        right[i] = nr;
        sacked += (nr - nl) - removed;
        version++;
        return true;
    }

    /** Index of the first range whose end is at or above seq (count if none): binary search. */
    private int firstEndingAtOrAfter(int seq) {
        int lo = 0, hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Seq.lt(right[mid], seq)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Forgets everything below the new snd.una. */
    void advance(int sndUna) {
        int drop = 0;
        while (drop < count && Seq.le(right[drop], sndUna)) {
            sacked -= right[drop] - left[drop];
            drop++;
        }
        if (drop > 0) {
            version++;
            System.arraycopy(left, drop, left, 0, count - drop);
            System.arraycopy(right, drop, right, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && Seq.lt(left[0], sndUna)) {
            version++;
            sacked -= sndUna - left[0];
            left[0] = sndUna;
        }
    }

    /** SACKed bytes inside [a, b). */
    long sackedIn(int a, int b) {
        long n = 0;
        for (int i = firstEndingAtOrAfter(a); i < count && Seq.lt(left[i], b); i++) {
            int l = Seq.max(left[i], a), r = Seq.min(right[i], b);
            if (Seq.lt(l, r)) n += r - l;
        }
        return n;
    }

    /**
     * The sequence number below which unSACKed data counts as lost (RFC 6675 IsLost): more than
     * (dupThresh - 1) * mss bytes are SACKed above it. Returns sndUna when nothing is lost yet.
     */
    int lossEdge(int sndUna, int mss) {
        long above = 0;
        long needed = 2L * mss;
        for (int i = count - 1; i >= 0; i--) {
            above += right[i] - left[i];
            if (above > needed || count - i >= 3) return left[i];
        }
        return sndUna;
    }

    /** End of the hole found by the last {@link #nextHole} call (equal to its result when there is none). */
    int holeEnd;

    /** First unSACKed sequence number at or above from and below limit; the hole ends at {@link #holeEnd}. */
    int nextHole(int from, int limit) {
        int s = from;
        for (int i = firstEndingAtOrAfter(from); i < count; i++) {
            if (Seq.le(right[i], s)) continue;
            if (Seq.le(left[i], s)) {
                s = right[i];
                continue;
            }
            // s lies in the hole before range i
            if (!Seq.lt(s, limit)) break;
            holeEnd = Seq.min(left[i], limit);
            return s;
        }
        if (Seq.lt(s, limit)) {
            holeEnd = limit;
            return s;
        }
        holeEnd = s;
        return s;
    }
}
