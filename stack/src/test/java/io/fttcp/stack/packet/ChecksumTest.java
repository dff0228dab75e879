package io.fttcp.stack.packet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumTest {

    @Test
    void rfc1071NumericExample() {
        // RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2, so the checksum is 220d.
        ByteBuffer b = Bytes.buffer("0001 f203 f4f5 f6f7");
        assertEquals(0xDDF2, Checksum.sum(b, 0, 8));
        assertEquals(0x220D, Checksum.compute(b, 0, 8));
    }

    @Test
    void knownIpv4HeaderChecksum() {
        // A widely published example header: 192.168.0.1 > 192.168.0.199, UDP, checksum b861.
        ByteBuffer b = Bytes.buffer("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xB861, Checksum.compute(b, 0, 20));
        b.putShort(10, (short) 0xB861);
        assertTrue(Checksum.verifies(b, 0, 20, 0));
    }

    @Test
    void oddLengthPadsTheLastByte() {
        ByteBuffer b = Bytes.buffer("0102 03");
        assertEquals(0x0102 + 0x0300, Checksum.sum(b, 0, 3));
    }

    @Test
    void fastSumEqualsReferenceForAnyOffsetLengthOrderAndKind() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20_000; round++) {
            int capacity = 1 + random.nextInt(random.nextBoolean() ? 64 : 2000);
            ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
            byte[] data = new byte[capacity];
            // Mix all-0xFF runs in: they stress the carries.
            if (random.nextInt(4) == 0) java.util.Arrays.fill(data, (byte) 0xFF);
            else random.nextBytes(data);
            b.put(0, data);
            b.order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int offset = random.nextInt(capacity);
            int length = random.nextInt(capacity - offset + 1);
            assertEquals(Bytes.referenceSum(data, offset, length), Checksum.sum(b, offset, length),
                    "seed=" + seed + " round=" + round + " offset=" + offset + " length=" + length + " order=" + b.order());
        }
    }

    @Test
    void pseudoHeaderSumEqualsSumOfItsBytes() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 10_000; round++) {
            int src = random.nextInt(), dst = random.nextInt(), proto = random.nextInt(256), len = random.nextInt(65536);
            ByteBuffer ph = ByteBuffer.allocate(12).putInt(src).putInt(dst).put((byte) 0).put((byte) proto).putShort((short) len);
            assertEquals(Bytes.referenceSum(ph.array(), 0, 12), Checksum.pseudoHeaderSum(src, dst, proto, len),
                    "seed=" + seed + " round=" + round);
        }
    }

    @Test
    void incrementalUpdateEqualsFullRecomputation() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 20_000; round++) {
            // A random "packet" of even length whose first word is the checksum field.
            int length = 6 + 2 * random.nextInt(200);
            byte[] data = new byte[length];
            random.nextBytes(data);
            if (random.nextInt(8) == 0) java.util.Arrays.fill(data, 2, length, (byte) 0); // near-zero data
            ByteBuffer b = ByteBuffer.wrap(data);
            b.putShort(0, (short) 0);
            // A nonzero constant word, like the protocol in a pseudo-header, keeps the sum nonzero.
            b.putShort(2, (short) (1 + random.nextInt(0xFFFF)));
            b.putShort(0, (short) Checksum.compute(b, 0, length));
            boolean wide = random.nextBoolean() && length >= 8;
            int field = wide ? 4 + 2 * random.nextInt((length - 8) / 2 + 1) : 4 + 2 * random.nextInt((length - 4) / 2);
            if (field + (wide ? 4 : 2) > length) continue;
            int checksum = b.getShort(0) & 0xFFFF;
            int updated;
            if (wide) {
                int old = b.getInt(field), now = random.nextInt(4) == 0 ? ~old : random.nextInt();
                b.putInt(field, now);
                updated = Checksum.adjust32(checksum, old, now);
            } else {
                int old = b.getShort(field) & 0xFFFF, now = random.nextInt(4) == 0 ? 0 : random.nextInt(0x10000);
                b.putShort(field, (short) now);
                updated = Checksum.adjust16(checksum, old, now);
            }
            b.putShort(0, (short) 0);
            assertEquals(Checksum.compute(b, 0, length), updated,
                    "seed=" + seed + " round=" + round + " field=" + field + " wide=" + wide);
        }
    }

    @Test
    void adjustMatchesRfc1624Example() {
        // RFC 1624 §4: other words sum to cd7a, m = 5555 gives HC = dd2f; m' = 3285 gives 0000
        // (where the older eqn. 2 wrongly gives ffff).
        assertEquals(0x0000, Checksum.adjust16(0xDD2F, 0x5555, 0x3285));
    }
}
