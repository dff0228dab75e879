package io.fttcp.replication.codec;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

class FrameCodecRobustnessTest {
    private static final int MAX_BODY = 4096;
    private static final Record SEED_77 = new Seed(new FourTuple(0x0a000001, 80, 0x0a000002, 40000), 77);

    /** Outcome of decoding a whole byte stream in random chunks. */
    private record Outcome(List<Record> records, CorruptRecordException failure) {
    }

    private static Outcome decodeInChunks(byte[] stream, SplittableRandom random, long seed) {
        FrameDecoder decoder = new FrameDecoder(MAX_BODY);
        CollectingHandler got = new CollectingHandler();
        ByteBuffer in = ByteBuffer.allocate(decoder.maxFrameLength());
        int at = 0;
        try {
            while (at < stream.length) {
                int n = Math.min(Math.min(stream.length - at, in.remaining()), 1 + random.nextInt(700));
                in.put(stream, at, n);
                at += n;
                in.flip();
                decoder.decodeAll(in, got);
                in.compact();
            }
            in.flip();
            decoder.endOfStream(in);
            return new Outcome(got.records, null);
        } catch (CorruptRecordException e) {
            return new Outcome(got.records, e);
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + ": decoder threw " + t + " instead of CorruptRecordException", t);
        }
    }

    private static byte[] encode(List<Record> records) {
        FrameEncoder encoder = new FrameEncoder(MAX_BODY);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long lsn = 1;
        for (Record r : records) {
            assertTrue(encoder.encode(lsn++, r, buf));
        }
        buf.flip();
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    @Test
    void randomBytesFailWithCorruptRecordException() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] garbage = new byte[1 + random.nextInt(3000)];
            random.nextBytes(garbage);
            if (trial % 4 == 0 && garbage.length >= 3) {
                // Give the garbage a valid magic and version so the checks behind them are reached.
                garbage[0] = (byte) 0xF7;
                garbage[1] = (byte) 0xC5;
                garbage[2] = 1;
            }
            Outcome o = decodeInChunks(garbage, random, seed);
            assertNotNull(o.failure, "seed " + seed + " trial " + trial + ": garbage decoded without error");
            assertTrue(o.records.isEmpty(), "seed " + seed + " trial " + trial + ": garbage decoded to " + o.records);
            assertTrue(o.failure.getMessage().contains("stream offset 0"), o.failure.getMessage());
        }
    }

    @Test
    void mutatedStreamsDecodeExactlyOrFailWithCorruptRecordException() {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        RandomRecords gen = new RandomRecords(random, 300);
        int[] outcomes = new int[2];
        for (int trial = 0; trial < 5_000; trial++) {
            List<Record> original = new ArrayList<>();
            for (int i = 1 + random.nextInt(30); i > 0; i--) {
                original.add(gen.next());
            }
            byte[] valid = encode(original);
            int mutation = random.nextInt(4);
            byte[] mutated = switch (mutation) {
                case 0 -> { // flip bits of 1..3 distinct bytes (two flips of one byte could cancel)
                    byte[] b = valid.clone();
                    java.util.Set<Integer> at = new java.util.HashSet<>();
                    for (int k = Math.min(1 + random.nextInt(3), b.length); at.size() < k; ) {
                        at.add(random.nextInt(b.length));
                    }
                    for (int i : at) {
                        b[i] ^= (byte) (1 + random.nextInt(255));
                    }
                    yield b;
                }
                case 1 -> java.util.Arrays.copyOf(valid, random.nextInt(valid.length)); // truncate
                case 2 -> { // insert 1..16 random bytes
                    int at = random.nextInt(valid.length + 1);
                    byte[] extra = new byte[1 + random.nextInt(16)];
                    random.nextBytes(extra);
                    byte[] b = new byte[valid.length + extra.length];
                    System.arraycopy(valid, 0, b, 0, at);
                    System.arraycopy(extra, 0, b, at, extra.length);
                    System.arraycopy(valid, at, b, at + extra.length, valid.length - at);
                    yield b;
                }
                default -> { // overwrite a length field with a random value
                    byte[] b = valid.clone();
                    int frame = frameStart(valid, random.nextInt(original.size()));
                    ByteBuffer.wrap(b).putInt(frame + 4, random.nextInt());
                    yield b;
                }
            };
            Outcome o = decodeInChunks(mutated, random, seed);
            String where = "seed " + seed + " trial " + trial + " mutation " + mutation;
            assertTrue(o.records.size() <= original.size(), where);
            assertEquals(original.subList(0, o.records.size()), o.records, where + ": decoded records differ from the original");
            if (o.failure == null) {
                // Only a cut exactly between frames decodes cleanly: to a prefix of the records.
                assertEquals(1, mutation, where + ": mutated stream decoded without error");
                assertEquals(mutated.length, encode(original.subList(0, o.records.size())).length, where);
                outcomes[0]++;
            } else {
                outcomes[1]++;
                assertTrue(o.failure.streamOffset() <= mutated.length, where);
            }
        }
        assertTrue(outcomes[1] > 4000, "seed " + seed + ": only " + outcomes[1] + " corruptions detected");
    }

    private static int frameStart(byte[] stream, int index) {
        ByteBuffer b = ByteBuffer.wrap(stream);
        int at = 0;
        for (int i = 0; i < index; i++) {
            at += FrameFormat.OVERHEAD + b.getInt(at + 4);
        }
        return at;
    }

    // ---- each check, with its message ----

    private static ByteBuffer frame(int kind, int bodyLength, long lsn, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(FrameFormat.OVERHEAD + body.length);
        b.putShort(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) kind).putInt(bodyLength).putLong(lsn).put(body);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    private static String failure(ByteBuffer in) {
        try {
            FrameDecoder decoder = new FrameDecoder(MAX_BODY);
            decoder.decodeAll(in, new CollectingHandler());
            decoder.endOfStream(in);
            return fail("no failure");
        } catch (CorruptRecordException e) {
            return e.getMessage();
        } catch (ReplicationProtocolException e) {
            return fail(e);
        }
    }

    /** A CLOCK body with no context, the given source byte and value 0. */
    private static byte[] clockWithSource(int source) {
        byte[] body = new byte[12 + 1 + 8];
        body[12] = (byte) source;
        return body;
    }

    private static ByteBuffer validSeed() {
        ByteBuffer b = ByteBuffer.allocate(64);
        new FrameEncoder().encode(3, SEED_77, b);
        return b.flip();
    }

    /** A protocol 4 peer's handshake (no unprotected-after) is read, so that the channel refuses it by its version, not as malformed. */
    @Test
    void aProtocol4HandshakeIsReadForItsVersion() throws Exception {
        // version 4, role, epoch, cluster id length 1, "c", liveness port 7400
        ByteBuffer in = frame(FrameKind.HANDSHAKE.code(), 15, 1, new byte[]{0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 'c', 0x1c, (byte) 0xe8});
        CollectingHandler got = new CollectingHandler();
        assertEquals(1, new FrameDecoder(MAX_BODY).decodeAll(in, got));
        Handshake h = (Handshake) got.controls.getFirst();
        assertEquals(4, h.protocolVersion());
        assertEquals(7400, h.livenessPort());
        assertEquals(0, h.unprotectedAfterMillis());
    }

    /**
     * A cluster id reaches log lines and messages (ours and the owner's): one with a line break or
     * another control character would let a peer write lines that look like ours. It is no name
     * an operator configures: such a handshake is corrupt, and no Handshake holds one.
     */
    @Test
    void aClusterIdWithAControlCharacterIsRefused() throws Exception {
        for (String bad : new String[]{"a\nb", "a\rb", "\u001b[2J", "a\u0000", "a\u2028b", "a\u202eb", "a\u0085b"}) {
            byte[] id = bad.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer body = ByteBuffer.allocate(18 + id.length);
            body.putShort((short) 5).put((byte) 1).putLong(1).put((byte) id.length).put(id).putShort((short) 0).putInt(0);
            String failure = failure(frame(FrameKind.HANDSHAKE.code(), body.capacity(), 1, body.array()));
            assertTrue(failure.contains("HANDSHAKE cluster id has a control character"), failure);
            assertThrows(IllegalArgumentException.class, () -> new Handshake(5, Role.PRIMARY, bad, 1, 1));
        }
        CollectingHandler got = new CollectingHandler();
        ByteBuffer ok = ByteBuffer.allocate(512);
        new FrameEncoder().encodeHandshake(new Handshake(5, Role.PRIMARY, "café 東京-1", 1, 1), ok);
        assertEquals(1, new FrameDecoder(MAX_BODY).decodeAll(ok.flip(), got), "letters of any script are a name");
    }

    @Test
    void eachCheckNamesWhatIsWrongAndWhere() throws Exception {
        ByteBuffer b = validSeed();
        b.put(0, (byte) 0);
        assertTrue(failure(b).contains("bad magic"), failure(validSeed().put(0, (byte) 0)));
        assertTrue(failure(validSeed().put(2, (byte) 9)).contains("unknown format version 9"));
        assertTrue(failure(validSeed().put(3, (byte) 99)).contains("unknown frame kind 99"));
        assertTrue(failure(validSeed().putInt(4, MAX_BODY + 1)).contains("over the maximum"));
        assertTrue(failure(validSeed().putInt(4, 9)).contains("impossible for its kind"));
        assertTrue(failure(validSeed().put(20, (byte) 1)).contains("CRC32C mismatch"));
        assertTrue(failure(frame(FrameKind.SEED.code(), 20, 0, new byte[20])).contains("invalid LSN"));
        assertTrue(failure(frame(FrameKind.CLOCK.code(), 21, 1, clockWithSource(7))).contains("unknown clock source 7"));
        assertTrue(failure(frame(FrameKind.READY.code(), 9, 1, new byte[]{0, 0, 0, 0, 0, 0, 0, 1, 0})).contains("says 1 entries but has 1 bytes"));
        // version, role, epoch, cluster id length, cluster id, liveness port, unprotected-after
        String handshakeTrailing = failure(frame(FrameKind.HANDSHAKE.code(), 19, 1, new byte[]{0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42}));
        assertTrue(handshakeTrailing.contains("1 bytes past its content"), handshakeTrailing);
        assertTrue(failure(frame(FrameKind.HANDSHAKE.code(), 19, 1, new byte[]{0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0xff, 0, 0, 0, 0, 0, 0})).contains("not UTF-8"));
        String negative = failure(frame(FrameKind.HANDSHAKE.code(), 18, 1, new byte[]{0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, 0, 0, 0}));
        assertTrue(negative.contains("unprotected-after is negative"), negative);
        String torn = failure(frame(FrameKind.HANDSHAKE.code(), 16, 1, new byte[]{0, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertTrue(torn.contains("unprotected-after"), torn);
        ByteBuffer cut = validSeed();
        cut.limit(cut.limit() - 1);
        assertTrue(failure(cut).contains("stream ends inside a frame"));

        // The offset names the frame, not the start of the buffer.
        ByteBuffer two = ByteBuffer.allocate(128);
        two.put(validSeed()).put(validSeed().put(21, (byte) 5)).flip();
        String second = failure(two);
        assertTrue(second.contains("stream offset " + FrameEncoder.frameLength(SEED_77)), second);
    }

    /** A maximum body near the int limit would wrap a frame's length (body + 20): refused, or the frame waits for its body. */
    @Test
    void aMaximumNearTheIntLimitCannotWrapTheFrameLength() throws Exception {
        for (int max : new int[]{Integer.MAX_VALUE, Integer.MAX_VALUE - FrameFormat.OVERHEAD + 1}) {
            FrameDecoder decoder;
            try {
                decoder = new FrameDecoder(max);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            ByteBuffer header = ByteBuffer.allocate(64);
            header.putShort(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) FrameKind.SEGMENT.code()).putInt(max).putLong(1).flip();
            assertFalse(decoder.decode(header, new CollectingHandler()), "a frame decoded from its header alone");
            assertEquals(0, header.position());
        }
    }

    @Test
    void afterCorruptionTheDecoderStaysFailed() throws Exception {
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer bad = validSeed().put(0, (byte) 1);
        assertThrows(CorruptRecordException.class, () -> decoder.decode(bad, new CollectingHandler()));
        assertThrows(CorruptRecordException.class, () -> decoder.decode(validSeed(), new CollectingHandler()));
    }

    @Test
    void partialHeaderWaitsWithoutConsuming() throws Exception {
        ByteBuffer all = validSeed();
        FrameDecoder decoder = new FrameDecoder();
        CollectingHandler got = new CollectingHandler();
        for (int n = 0; n < all.limit(); n++) {
            ByteBuffer part = all.slice(0, n);
            assertFalse(decoder.decode(part, got), "decoded from " + n + " bytes");
            assertEquals(0, part.position());
        }
        assertTrue(decoder.decode(all, got));
        assertEquals(List.of(SEED_77), got.records);
        assertEquals(List.of(3L), got.lsns);
    }
}
