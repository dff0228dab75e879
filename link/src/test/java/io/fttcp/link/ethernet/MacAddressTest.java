package io.fttcp.link.ethernet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class MacAddressTest {
    @Test
    void parsesAndFormats() {
        MacAddress m = MacAddress.parse("02:AB:cd:00:01:ff");
        assertEquals(0x02abcd0001ffL, m.value());
        assertEquals("02:ab:cd:00:01:ff", m.toString());
        assertEquals(m, MacAddress.parse("02-ab-cd-00-01-ff"));
        assertFalse(m.isMulticast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.isMulticast(0x01005e000001L));
    }

    @Test
    void virtualRouterMacIsTheVrrpRange() {
        assertEquals("00:00:5e:00:01:01", MacAddress.virtualRouterMac(1).toString());
        assertEquals("00:00:5e:00:01:ff", MacAddress.virtualRouterMac(255).toString());
        assertThrows(IllegalArgumentException.class, () -> MacAddress.virtualRouterMac(0));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.virtualRouterMac(256));
    }

    @Test
    void rejectsBadText() {
        for (String bad : new String[] {null, "", "02:ab:cd:00:01", "02:ab:cd:00:01:fg", "02:ab:cd:00:01:ff:", "02.ab.cd.00.01.ff", "+2:ab:cd:00:01:ff"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), String.valueOf(bad));
        }
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
    }

    @Test
    void randomValuesRoundTripThroughTextAndBuffers() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuffer little = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10_000; i++) {
            long v = rnd.nextLong() & MacAddress.BROADCAST_VALUE;
            MacAddress m = new MacAddress(v);
            assertEquals(m, MacAddress.parse(m.toString()), "seed=" + seed);
            int at = rnd.nextInt(26);
            MacAddress.write(little, at, v);
            assertEquals(v, MacAddress.read(little, at), "seed=" + seed);
            assertEquals((byte) (v >>> 40), little.get(at), "network order regardless of buffer order; seed=" + seed);
        }
    }
}
