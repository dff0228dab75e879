package io.fttcp.stack.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded model checks of the chunked byte queue, the reassembly queue and the SACK scoreboard. */
class BufferStructuresTest {

    @Test
    void byteQueueMatchesAModel() {
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            ByteQueue q = new ByteQueue();
            // Model: every byte ever appended, and the index of the first one still queued.
            byte[] model = new byte[1 << 16];
            int head = 0, tail = 0;
            int counter = 0;
            ByteBuffer scratch = ByteBuffer.allocate(1 << 17);
            for (int step = 0; step < 400; step++) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        int n = r.nextInt(r.nextBoolean() ? 100 : 50_000);
                        byte[] d = new byte[n + 7];
                        for (int i = 0; i < d.length; i++) d[i] = (byte) (counter + i);
                        int from = r.nextInt(8);
                        q.append(ByteBuffer.wrap(d), from, n);
                        if (tail + n > model.length) model = Arrays.copyOf(model, Math.max(model.length * 2, tail + n));
                        System.arraycopy(d, from, model, tail, n);
                        tail += n;
                        counter += 13;
                    }
                    case 1 -> {
                        ByteBuffer dst = ByteBuffer.allocate(r.nextInt(40_000));
                        int n = q.read(dst);
                        assertEquals(Math.min(dst.capacity(), tail - head), n, "seed " + seed);
                        for (int i = 0; i < n; i++) assertEquals(model[head + i], dst.get(i), "seed " + seed);
                        head += n;
                    }
                    case 2 -> {
                        int n = tail == head ? 0 : r.nextInt(tail - head + 1);
                        q.discard(n);
                        head += n;
                    }
                    default -> {
                        if (tail == head) break;
                        int off = r.nextInt(tail - head);
                        int len = 1 + r.nextInt(Math.min(tail - head - off, 1 << 16));
                        ByteBuffer v = q.view(off, len, scratch);
                        assertEquals(len, v.remaining(), "seed " + seed);
                        for (int i = 0; i < len; i++) assertEquals(model[head + off + i], v.get(v.position() + i), "seed " + seed);
                    }
                }
                assertEquals(tail - head, q.size(), "seed " + seed);
            }
            assertArrayEquals(Arrays.copyOfRange(model, head, tail), q.toArray(), "seed " + seed);
        }
    }

    @Test
    void reassemblyQueueDeliversExactlyTheStream() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int base = r.nextInt();
            int total = 1 + r.nextInt(20_000);
            byte[] stream = new byte[total];
            r.nextBytes(stream);
            ReassemblyQueue ooo = new ReassemblyQueue();
            ByteQueue in = new ByteQueue();
            int rcvNxt = base;
            boolean[] got = new boolean[total];
            TcpSegment seg = new TcpSegment();
            while (rcvNxt - base < total) {
                // Mostly anywhere, sometimes at the gap, so the stream completes.
                int off = r.nextInt(4) == 0 ? Math.max(0, rcvNxt - base - r.nextInt(200)) : r.nextInt(total);
                int len = 1 + r.nextInt(Math.min(total - off, 3000));
                int seq = base + off;
                if (Seq.le(seq, rcvNxt)) {
                    int skip = rcvNxt - seq;
                    if (skip < len) {
                        in.append(ByteBuffer.wrap(stream), off + skip, len - skip);
                        rcvNxt += len - skip;
                        rcvNxt = ooo.drainInto(rcvNxt, in);
                    }
                } else {
                    ooo.insert(seq, ByteBuffer.wrap(stream), off, len);
                    for (int i = off; i < off + len; i++) got[i] = true;
                    ooo.fillSack(seg, rcvNxt, 4);
                    assertTrue(seg.sackBlockCount >= 1, "seed " + seed);
                    // The first block covers the newest arrival; every block is held data above rcv.nxt.
                    assertTrue(Seq.le(seg.sackLeft[0], seq) && Seq.ge(seg.sackRight[0], seq + len), "seed " + seed);
                    for (int b = 0; b < seg.sackBlockCount; b++) {
                        assertTrue(Seq.gt(seg.sackLeft[b], rcvNxt), "seed " + seed);
                        // Held at both ends (blocks are runs of held data).
                        assertTrue(got[seg.sackLeft[b] - base] && got[seg.sackRight[b] - 1 - base], "seed " + seed);
                    }
                }
            }
            assertArrayEquals(stream, in.toArray(), "seed " + seed);
        }
    }

    @Test
    void sackScoreboardMatchesAModel() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int una = r.nextInt();
            int size = 1 + r.nextInt(50_000);
            int max = una + size;
            boolean[] sacked = new boolean[size];
            int modelBase = una;
            SackScoreboard sb = new SackScoreboard();
            int maxRanges = seed % 2 == 0 ? Integer.MAX_VALUE : 1 + r.nextInt(8); // a block needing more is ignored
            for (int step = 0; step < 60; step++) {
                if (r.nextInt(5) == 0) {
                    int adv = r.nextInt(Math.max(1, (max - una) / 4));
                    una += adv;
                    sb.advance(una);
                } else {
                    int l = una + r.nextInt(-100, Math.max(1, max - una));
                    int rr = l + r.nextInt(1, 5000);
                    if (Seq.gt(rr, max)) rr = max;
                    boolean taken = sb.add(l, rr, una, max, maxRanges);
                    assertTrue(sb.rangeCount() <= maxRanges, "seed " + seed);
                    if (taken && Seq.lt(l, rr) && Seq.gt(rr, una)) {
                        for (int x = Seq.max(l, una); x != rr; x++) sacked[x - modelBase] = true;
                    }
                }
                long count = 0;
                int highest = -1;
                for (int x = una; x != max; x++) {
                    if (sacked[x - modelBase]) {
                        count++;
                        highest = x + 1;
                    }
                }
                assertEquals(count, sb.sackedBytes(), "seed " + seed);
                if (count > 0) {
                    assertEquals(highest, sb.highestSacked(), "seed " + seed);
                    int from = una + r.nextInt(Math.max(1, max - una));
                    int h = sb.nextHole(from, highest);
                    int expect = from;
                    while (Seq.lt(expect, highest) && sacked[expect - modelBase]) expect++;
                    if (Seq.lt(expect, highest)) {
                        assertEquals(expect, h, "seed " + seed);
                        int end = expect;
                        while (Seq.lt(end, highest) && !sacked[end - modelBase]) end++;
                        assertEquals(end, sb.holeEnd, "seed " + seed);
                    } else {
                        assertFalse(Seq.lt(h, sb.holeEnd), "seed " + seed);
                    }
                    int a = una + r.nextInt(Math.max(1, max - una)), b = a + r.nextInt(Math.max(1, max - a));
                    long in = 0;
                    for (int x = a; x != b; x++) if (sacked[x - modelBase]) in++;
                    assertEquals(in, sb.sackedIn(a, b), "seed " + seed);
                }
            }
        }
    }
    /**
     * The retransmission ledger against a byte-by-byte model: each byte remembers the place of the
     * retransmission that last carried it, where new data then ended, and whether it was found
     * lost, or was resent after one over it was found lost (then it is never marked); a run of
     * bytes with one place is one retransmission.
     */
    @Test
    void retransmissionLedgerMatchesAModel() {
        for (long seed = 1; seed <= 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int base = r.nextInt();
            int size = 200 + r.nextInt(5_000);
            long[] place = new long[size]; // 0: not a retransmission (or forgotten)
            int[] dataEnd = new int[size];
            boolean[] lost = new boolean[size];
            boolean[] resent = new boolean[size];
            boolean[] sacked = new boolean[size];
            int una = 0, max = size / 2;
            long places = 0, latestDelivered = -1;
            RetransmissionLedger ledger = new RetransmissionLedger();
            for (int step = 0; step < 80; step++) {
                if (r.nextInt(3) != 0) { // a retransmission of [s, e) below snd.max
                    if (r.nextInt(4) == 0 && max < size) max = Math.min(size, max + r.nextInt(1, 200)); // new data went out first
                    if (max - una < 2) continue;
                    int s = una + r.nextInt(max - una - 1);
                    int e = Math.min(max, s + r.nextInt(1, 120));
                    ledger.record(base + s, base + e, base + max);
                    places++;
                    boolean resend = false;
                    for (int b = s; b < e; b++) resend |= place[b] != 0 && (lost[b] || resent[b]);
                    for (int b = s; b < e; b++) {
                        place[b] = places;
                        dataEnd[b] = max;
                        lost[b] = false;
                        resent[b] = resend;
                    }
                } else { // an ACK: snd.una may advance, more is SACKed
                    una = Math.min(max, una + (r.nextBoolean() ? 0 : r.nextInt(0, 100)));
                    for (int k = r.nextInt(3); k > 0; k--) {
                        int l = una + r.nextInt(Math.max(1, size - una));
                        for (int b = l; b < Math.min(size, l + r.nextInt(1, 150)); b++) sacked[b] = true;
                    }
                    int highest = -1;
                    SackScoreboard sb = new SackScoreboard();
                    for (int b = una; b < size; b++) {
                        if (!sacked[b]) continue;
                        int e = b;
                        while (e < size && sacked[e]) e++;
                        sb.add(base + b, base + e, base + una, base + size, Integer.MAX_VALUE);
                        highest = e;
                        b = e;
                    }
                    // Model: a run arrived if every byte of it at or above snd.una is SACKed.
                    for (int b = 0; b < size; b++) {
                        if (place[b] == 0) continue;
                        int e = b;
                        boolean arrived = true;
                        while (e < size && place[e] == place[b]) {
                            if (e >= una && !sacked[e]) arrived = false;
                            e++;
                        }
                        if (arrived) {
                            latestDelivered = Math.max(latestDelivered, place[b]);
                            for (int x = b; x < e; x++) place[x] = 0;
                        }
                        b = e - 1;
                    }
                    int marked = 0;
                    for (int b = 0; b < size; b++) {
                        if (place[b] == 0 || b < una) { place[b] = b < una ? 0 : place[b]; continue; }
                        int e = b;
                        while (e < size && place[e] == place[b]) e++;
                        if (!lost[b] && !resent[b] && (place[b] < latestDelivered || highest > dataEnd[b])) {
                            marked++;
                            for (int x = b; x < e; x++) lost[x] = true;
                        }
                        b = e - 1;
                    }
                    assertEquals(marked, ledger.update(base + una, sb.isEmpty() ? null : sb), "seed " + seed + " step " + step);
                    long lostBytes = 0;
                    int lowest = -1;
                    for (int b = una; b < size; b++) {
                        if (place[b] != 0 && lost[b] && !sacked[b]) lostBytes++;
                        if (lowest < 0 && place[b] != 0 && lost[b]) lowest = b;
                    }
                    assertEquals(lostBytes, ledger.lostBytes(sb.isEmpty() ? null : sb), "seed " + seed + " step " + step);
                    assertEquals(lowest < 0 ? base + size : base + lowest, ledger.lowestLost(base + size), "seed " + seed + " step " + step);
                }
            }
        }
    }
}
