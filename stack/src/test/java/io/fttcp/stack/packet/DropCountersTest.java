package io.fttcp.stack.packet;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DropCountersTest {
    @Test
    void countsPerReasonAndSnapshotsAllReasons() {
        DropCounters c = new DropCounters();
        c.count(DropReason.TCP_BAD_CHECKSUM);
        c.count(DropReason.TCP_BAD_CHECKSUM);
        c.count(DropReason.IPV4_FRAGMENT, 5);
        assertEquals(2, c.get(DropReason.TCP_BAD_CHECKSUM));
        assertEquals(5, c.get(DropReason.IPV4_FRAGMENT));
        assertEquals(0, c.get(DropReason.ICMP_TRUNCATED));
        assertEquals(7, c.total());
        Map<DropReason, Long> snapshot = c.snapshot();
        assertEquals(DropReason.values().length, snapshot.size());
        assertEquals(2L, snapshot.get(DropReason.TCP_BAD_CHECKSUM));
        c.count(DropReason.TCP_BAD_CHECKSUM);
        assertEquals(2L, snapshot.get(DropReason.TCP_BAD_CHECKSUM), "a snapshot is a copy");
        assertThrows(UnsupportedOperationException.class, () -> snapshot.put(DropReason.IPV4_TRUNCATED, 1L));
        assertEquals("DropCounters{IPV4_FRAGMENT=5, TCP_BAD_CHECKSUM=3}", c.toString());
        c.reset();
        assertEquals(0, c.total());
    }
}
