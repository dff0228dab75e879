package io.fttcp.replication.codec;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/** The CHECKPOINT frame: exact round trips, and each malformed body refused with a clear reason. */
class CheckpointCodecTest {
    private static final FourTuple A = new FourTuple(0xc6120001, 7000, 0xc6120002, 40000);
    private static final FourTuple B = new FourTuple(0xc6120001, 7000, 0xc6120003, 40001);

    private static Checkpoint sample() {
        return new Checkpoint(A, "k=v\n".getBytes(), List.of(
                new Checkpoint.Entry(A, 12, 30, false, false, 25, new byte[]{1, 2, 3, 4, 5}),
                new Checkpoint.Entry(B, 0, 7, true, true, 7, new byte[0])));
    }

    private static ByteBuffer encoded(Checkpoint c) {
        ByteBuffer b = ByteBuffer.allocate((int) FrameEncoder.frameLength(c));
        assertTrue(new FrameEncoder().encode(9, c, b));
        assertFalse(b.hasRemaining());
        return b.flip();
    }

    private static List<Object> decode(ByteBuffer in) throws ReplicationProtocolException {
        FrameDecoder decoder = new FrameDecoder();
        CollectingHandler got = new CollectingHandler();
        decoder.decodeAll(in, got);
        decoder.endOfStream(in);
        return new ArrayList<>(got.records);
    }

    @Test
    void roundTripsExactly() throws Exception {
        Checkpoint c = sample();
        assertEquals(List.of(c), decode(encoded(c)));
        Checkpoint empty = new Checkpoint(Clock.NO_CONTEXT, new byte[0], List.of());
        assertEquals(List.of(empty), decode(encoded(empty)));
    }

    @Test
    void randomCheckpointsRoundTrip() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++) {
            List<Checkpoint.Entry> entries = new ArrayList<>();
            for (int n = random.nextInt(20); n > 0; n--) {
                byte[] out = new byte[random.nextInt(300)];
                random.nextBytes(out);
                long start = random.nextLong(1L << 40);
                boolean closed = random.nextBoolean();
                entries.add(new Checkpoint.Entry(new FourTuple(random.nextInt(), random.nextInt(65536), random.nextInt() | 1, n),
                        random.nextLong(1L << 40), start + out.length, closed || random.nextBoolean(), closed, start, out));
            }
            byte[] state = new byte[random.nextInt(2000)];
            random.nextBytes(state);
            Checkpoint c = new Checkpoint(random.nextBoolean() ? Clock.NO_CONTEXT : A, state, entries);
            assertEquals(List.of(c), decode(encoded(c)), "seed " + seed + " checkpoint " + i);
        }
    }

    @Test
    void tooLargeForTheFrameIsRefusedBeforeAnythingIsWritten() {
        Checkpoint big = new Checkpoint(A, new byte[FrameFormat.DEFAULT_MAX_BODY_LENGTH], List.of());
        ByteBuffer b = ByteBuffer.allocate(2 * FrameFormat.DEFAULT_MAX_BODY_LENGTH);
        assertThrows(IllegalArgumentException.class, () -> new FrameEncoder().encode(1, big, b));
        assertEquals(0, b.position());
    }

    @Test
    void invalidValuesAreRefusedByTheRecord() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Entry(A, 0, 10, false, false, 4, new byte[5]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Entry(A, -1, 0, false, false, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Entry(A, 0, 0, false, true, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint.Entry(new FourTuple(1, 80, 0, 0), 0, 0, false, false, 0, new byte[0]));
        Checkpoint.Entry e = new Checkpoint.Entry(A, 0, 0, false, false, 0, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(A, new byte[0], List.of(e, e)));
    }

    // ---- corrupt bodies: a frame with a valid CRC around a body that is not a checkpoint ----

    /** The body of {@link #sample()}. */
    private static byte[] sampleBody() {
        ByteBuffer frame = encoded(sample());
        byte[] body = new byte[frame.remaining() - FrameFormat.OVERHEAD];
        frame.get(FrameFormat.HEADER_LENGTH, body);
        return body;
    }

    private static ByteBuffer frameAround(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(FrameFormat.OVERHEAD + body.length);
        b.putShort(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) FrameKind.CHECKPOINT.code()).putInt(body.length).putLong(1).put(body);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    private static String failure(byte[] body) {
        try {
            decode(frameAround(body));
            return fail("decoded a corrupt checkpoint");
        } catch (CorruptRecordException e) {
            return e.getMessage();
        } catch (ReplicationProtocolException e) {
            return fail(e);
        }
    }

    /** Offsets in the sample body: context 12, state length 4 + 4, count 4, then entry A. */
    private static final int STATE_LENGTH = 12;
    private static final int COUNT = 12 + 4 + 4;
    private static final int FIRST_ENTRY = COUNT + 4;
    private static final int FIRST_FLAGS = FIRST_ENTRY + 12 + 8 + 8;
    private static final int FIRST_OUTPUT_START = FIRST_FLAGS + 1;
    private static final int FIRST_OUTPUT_LENGTH = FIRST_OUTPUT_START + 8;

    @Test
    void eachMalformedBodyIsACorruptRecordWithItsReason() throws Exception {
        assertEquals(List.of(sample()), decode(frameAround(sampleBody())), "the unmodified body decodes");

        byte[] b = sampleBody();
        ByteBuffer.wrap(b).putInt(STATE_LENGTH, Integer.MAX_VALUE);
        assertTrue(failure(b).contains("state length"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putInt(STATE_LENGTH, -1);
        assertTrue(failure(b).contains("state length 4294967295"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putInt(COUNT, 1_000_000);
        assertTrue(failure(b).contains("says 1000000 entries"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putInt(COUNT, 1); // one entry, then the second one's bytes are left over
        assertTrue(failure(b).contains("past its content"), failure(b));

        b = sampleBody();
        b[FIRST_FLAGS] = 4;
        assertTrue(failure(b).contains("unknown bits"), failure(b));

        b = sampleBody();
        b[FIRST_FLAGS] = 2; // closed without output shut
        assertTrue(failure(b).contains("closed but output not shut"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putLong(FIRST_OUTPUT_START, 26); // output no longer ends at the output offset
        assertTrue(failure(b).contains("does not end at the output offset"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putInt(FIRST_OUTPUT_LENGTH, 1 << 30);
        assertTrue(failure(b).contains("output length"), failure(b));

        b = sampleBody();
        ByteBuffer.wrap(b).putInt(FIRST_ENTRY + 6, 0).putShort(FIRST_ENTRY + 10, (short) 0); // remote part 0: a listener
        assertTrue(failure(b).contains("names a listener"), failure(b));

        b = sampleBody();
        int second = FIRST_OUTPUT_LENGTH + 4 + 5;
        System.arraycopy(b, FIRST_ENTRY, b, second, 12); // the second entry names the first's connection
        assertTrue(failure(b).contains("twice"), failure(b));

        b = sampleBody();
        byte[] cut = java.util.Arrays.copyOf(b, b.length - 1);
        assertTrue(failure(cut).contains("CHECKPOINT"), failure(cut));
    }

    @Test
    void randomlyMutatedCheckpointsDecodeOrFailCleanly() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] valid = sampleBody();
        for (int i = 0; i < 20_000; i++) {
            byte[] b = valid.clone();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            }
            try {
                List<Object> got = decode(frameAround(b));
                assertEquals(1, got.size(), "seed " + seed);
                Checkpoint c = (Checkpoint) got.getFirst();
                ByteBuffer again = encoded(c);
                byte[] body = new byte[again.remaining() - FrameFormat.OVERHEAD];
                again.get(FrameFormat.HEADER_LENGTH, body);
                assertArrayEquals(b, body, "seed " + seed + ": a decoded mutation re-encodes to the same bytes");
            } catch (CorruptRecordException expected) {
                // refused with a reason
            } catch (ReplicationProtocolException | RuntimeException e) {
                fail("seed " + seed + " mutation " + i + ": " + e, e);
            }
        }
    }
}
