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
    void byteQueueKeepsAWindowOfAnyLength() {
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
                q.append(b, 0, b.length);
                all.writeBytes(b);
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
}
