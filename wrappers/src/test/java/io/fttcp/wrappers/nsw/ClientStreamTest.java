package io.fttcp.wrappers.nsw;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientStreamTest {

    private static final long SEED = Long.getLong("fttcp.seed", 0xC11E47L);

    /** Random segments (duplicated, overlapping, reordered, across the sequence wrap) rebuild the stream exactly, read in random pieces. */
    @Test
    void rebuildsTheStreamFromAnySegmentOrder() {
        for (int trial = 0; trial < 300; trial++) {
            long seed = SEED + trial;
            SplittableRandom random = new SplittableRandom(seed);
            byte[] stream = new byte[random.nextInt(1, 60_000)];
            random.nextBytes(stream);
            int isn = random.nextBoolean() ? -1 - random.nextInt(stream.length + 1) : random.nextInt(); // often wraps inside the stream
            ClientStream input = new ClientStream(isn);
            List<int[]> pieces = new ArrayList<>();
            for (int at = 0; at < stream.length; ) {
                int length = Math.min(stream.length - at, random.nextInt(1, 2000));
                pieces.add(new int[] {at, length});
                if (random.nextInt(3) == 0) {
                    int back = Math.min(at, random.nextInt(1500));
                    pieces.add(new int[] {at - back, back + random.nextInt(0, stream.length - at + 1)});
                }
                at += length;
            }
            Collections.shuffle(pieces, new Random(seed));
            ByteBuffer out = ByteBuffer.allocate(stream.length);
            int finAt = random.nextInt(pieces.size() + 1);
            for (int i = 0; i < pieces.size(); i++) {
                if (i == finAt) {
                    input.offer(isn + 1 + stream.length, new byte[0], true);
                }
                int[] p = pieces.get(i);
                input.offer(isn + 1 + p[0], Arrays.copyOfRange(stream, p[0], p[0] + p[1]), false);
                int n = (int) Math.min(input.available(), random.nextInt(0, 3000));
                input.read(out, n);
            }
            if (finAt == pieces.size()) {
                input.offer(isn + 1 + stream.length, new byte[0], true);
            }
            assertEquals(stream.length, input.end(), "seed " + seed);
            assertTrue(input.finReached(), "seed " + seed);
            input.read(out, (int) input.available());
            assertArrayEquals(stream, out.array(), "seed " + seed);
            assertTrue(input.endOfStream(), "seed " + seed);
            assertTrue(input.outOfOrder().isEmpty(), "seed " + seed);
        }
    }

    @Test
    void bytesBeyondAHoleWaitAndAreReported() {
        ClientStream input = new ClientStream(1000);
        input.offer(1001 + 5, "fghij".getBytes(), false);
        assertEquals(0, input.end());
        assertEquals(1, input.outOfOrder().size());
        assertEquals(5, input.outOfOrder().getFirst().offset());
        input.offer(1001 + 10, new byte[0], true);
        assertFalse(input.finReached(), "a FIN beyond a hole is not reached");
        input.offer(1001, "abcde".getBytes(), false);
        assertEquals(10, input.end());
        assertTrue(input.finReached());
        assertArrayEquals("abcdefghij".getBytes(), input.unread());
    }

    @Test
    void byteQueueKeepsAWindowOfAnyLengthCopiedOrShared() {
        for (int trial = 0; trial < 60; trial++) {
            long seed = SEED ^ trial;
            SplittableRandom random = new SplittableRandom(seed);
            long base = random.nextLong(0, 1L << 40);
            ByteQueue q = new ByteQueue(base);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            long start = base;
            for (int step = 0; step < 50; step++) {
                byte[] b = new byte[random.nextInt(0, 40_000)];
                random.nextBytes(b);
                // Copied, or handed over whole or in part (a slice of a larger array), short runs among them.
                int offset = b.length == 0 ? 0 : random.nextInt(0, b.length);
                int length = random.nextInt(0, b.length - offset + 1);
                switch (random.nextInt(3)) {
                    case 0 -> q.append(b, offset, length);
                    case 1 -> q.appendShared(b, offset, length);
                    default -> {
                        length = Math.min(length, random.nextInt(0, 2_000));
                        q.appendShared(b, offset, length);
                    }
                }
                all.write(b, offset, length);
                long end = base + all.size();
                assertEquals(end, q.end(), "seed " + seed);
                if (random.nextBoolean()) {
                    start = random.nextLong(start, end + 1);
                    q.discardBefore(start);
                }
                assertEquals(start, q.start(), "seed " + seed);
                long from = random.nextLong(start, end + 1);
                long to = random.nextLong(from, end + 1);
                assertArrayEquals(Arrays.copyOfRange(all.toByteArray(), (int) (from - base), (int) (to - base)), q.toArray(from, to), "seed " + seed);
            }
        }
    }

    /** Pieces of {@code stream} as {offset, length}, overlapping, duplicated and shuffled. */
    private static List<int[]> pieces(SplittableRandom random, int length, long seed) {
        List<int[]> pieces = new ArrayList<>();
        for (int at = 0; at < length; ) {
            int n = Math.min(length - at, random.nextInt(1, 700));
            pieces.add(new int[] {at, n});
            if (random.nextInt(3) == 0) {
                int back = Math.min(at, random.nextInt(500));
                pieces.add(new int[] {at - back, Math.min(length - at + back, back + random.nextInt(1, 900))});
            }
            at += n;
        }
        for (int i = 1; i < pieces.size(); i++) {
            if (random.nextInt(4) == 0) Collections.swap(pieces, i, i - 1 - random.nextInt(Math.min(i, 5)));
        }
        return pieces;
    }

    /**
     * A stream given only some segments below the read offset (holes from the SYN on, as
     * retention keeps them) and every segment reaching the offset, chained then re-based there,
     * holds what a stream given all of them holds once the application read up to it.
     */
    @Test
    void reBasingAtTheReadOffsetEqualsReadingEverything() {
        for (int trial = 0; trial < 300; trial++) {
            long seed = SEED * 31 + trial;
            SplittableRandom random = new SplittableRandom(seed);
            byte[] stream = new byte[random.nextInt(1, 20_000)];
            random.nextBytes(stream);
            int isn = random.nextBoolean() ? -1 - random.nextInt(stream.length + 1) : random.nextInt();
            List<int[]> pieces = pieces(random, stream.length, seed);
            if (random.nextInt(5) == 0) pieces.remove(random.nextInt(pieces.size())); // maybe a hole for good
            int cut = random.nextInt(pieces.size() + 1); // the checkpoint comes after this many segments
            ClientStream whole = new ClientStream(isn);
            ClientStream kept = new ClientStream(isn, true);
            for (int i = 0; i < cut; i++) {
                whole.offer(isn + 1 + pieces.get(i)[0], Arrays.copyOfRange(stream, pieces.get(i)[0], pieces.get(i)[0] + pieces.get(i)[1]), false);
            }
            long read = random.nextLong(whole.end() + 1);
            whole.skipTo(read);
            for (int i = 0; i < cut; i++) {
                int[] p = pieces.get(i);
                if (p[0] + p[1] > read || random.nextInt(4) == 0 || i == cut - 1) { // unread bytes, or kept for another reason
                    kept.offer(isn + 1 + p[0], Arrays.copyOfRange(stream, p[0], p[0] + p[1]), false);
                }
            }
            String where = "seed " + seed + " (-Dfttcp.seed), read " + read + " of " + stream.length;
            assertTrue(kept.skipTo(read), where);
            kept.endChaining();
            for (int i = cut; i < pieces.size(); i++) {
                int[] p = pieces.get(i);
                whole.offer(isn + 1 + p[0], Arrays.copyOfRange(stream, p[0], p[0] + p[1]), false);
                kept.offer(isn + 1 + p[0], Arrays.copyOfRange(stream, p[0], p[0] + p[1]), false);
                if (random.nextInt(4) == 0) {
                    int n = (int) Math.min(whole.available(), random.nextInt(0, 800));
                    whole.read(ByteBuffer.allocate(n), n);
                    kept.read(ByteBuffer.allocate(n), n);
                }
            }
            assertEquals(whole.end(), kept.end(), where);
            assertEquals(whole.readOffset(), kept.readOffset(), where);
            assertArrayEquals(whole.unread(), kept.unread(), where);
            assertEquals(pieceList(whole), pieceList(kept), where);
        }
    }

    private static List<String> pieceList(ClientStream s) {
        return s.outOfOrder().stream().map(p -> p.offset() + ":" + Arrays.toString(p.bytes())).toList();
    }

    /** Kept segments 2^30 - 1 apart chain across many wraps of the sequence space; a re-base then continues there. */
    @Test
    void chainedSegmentsArePlacedAcrossWraps() {
        int isn = 12345;
        ClientStream s = new ClientStream(isn, true);
        long step = (1L << 30) - 1;
        for (long at = 0; at < 9 * step; at += step) {
            s.offer(isn + 1 + (int) at, new byte[] {1, 2, 3}, false); // a dropped stretch before each but the first: held beyond holes
        }
        long last = 8 * step;
        assertEquals(3, s.end());
        assertEquals(8, s.outOfOrder().size());
        assertEquals(last, s.outOfOrder().getLast().offset(), "the ninth segment is placed 8 * (2^30 - 1) on, past several wraps");
        assertTrue(s.skipTo(last + 1));
        assertEquals(last + 3, s.end(), "the piece straddling the read offset is taken in, trimmed");
        assertArrayEquals(new byte[] {2, 3}, s.unread());
        assertTrue(s.outOfOrder().isEmpty(), "pieces wholly below the read offset go");
        s.endChaining();
        s.offer(isn + 1 + (int) (last + 3), new byte[] {4}, false);
        assertEquals(last + 4, s.end());
        // Unchained, the same segments are read nearest the contiguous end (0): 2^30 - 1 and more ahead are not placed past a wrap.
        ClientStream plain = new ClientStream(isn);
        for (long at = 0; at < 9 * step; at += step) {
            plain.offer(isn + 1 + (int) at, new byte[] {1, 2, 3}, false);
        }
        assertTrue(plain.outOfOrder().getLast().offset() < 1L << 31, "nearest the contiguous end: " + plain.outOfOrder().getLast().offset());
    }

    @Test
    void reBasingIntoAHoleAndBeyondTheFin() {
        ClientStream s = new ClientStream(1000, true);
        s.offer(1001 + 100, "late".getBytes(), false); // beyond a hole the application read past
        s.offer(1001 + 10, "ab".getBytes(), false);
        assertTrue(s.skipTo(50), "bytes at 50 not received yet: the client has not sent them");
        assertEquals(50, s.end());
        assertEquals(0, s.available());
        assertEquals(List.of(100L), s.outOfOrder().stream().map(ConnectionImage.Piece::offset).toList());
        s.offer(1001 + 50, new byte[50], false);
        assertEquals(104, s.end(), "the held piece joins once the hole is filled");

        ClientStream fin = new ClientStream(1000, true);
        fin.offer(1001 + 20, new byte[0], true);
        assertFalse(fin.skipTo(21), "the application cannot have read beyond the client's FIN");
        assertEquals(0, fin.end(), "nothing changed");
        assertTrue(fin.skipTo(20));
        assertTrue(fin.finReached());
        assertTrue(fin.endOfStream());
    }
}
