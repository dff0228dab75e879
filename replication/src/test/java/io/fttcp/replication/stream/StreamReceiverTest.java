package io.fttcp.replication.stream;

import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class StreamReceiverTest {
    @Test
    void acceptsInOrderAndSaysWhatToAcknowledge() throws Exception {
        List<Record> got = new ArrayList<>();
        StreamReceiver receiver = new StreamReceiver(0, (lsn, r) -> got.add(r));
        assertFalse(receiver.ackDue());
        receiver.receive(1, new Seed(1));
        receiver.receive(2, new Seed(2));
        assertTrue(receiver.ackDue());
        assertEquals(2, receiver.takeAck());
        assertFalse(receiver.ackDue());
        assertEquals(List.of(new Seed(1), new Seed(2)), got);
    }

    @Test
    void rejectsGapsDuplicatesAndReordering() throws Exception {
        List<Record> got = new ArrayList<>();
        StreamReceiver receiver = new StreamReceiver(10, (lsn, r) -> got.add(r));
        var gap = assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(13, new Seed(0)));
        assertEquals("replication stream out of order: expected LSN 11, received 13 (gap of 2 records)", gap.getMessage());
        receiver.receive(11, new Seed(11));
        var dup = assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(11, new Seed(11)));
        assertTrue(dup.getMessage().contains("duplicate"), dup.getMessage());
        assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(5, new Seed(5)));
        assertEquals(List.of(new Seed(11)), got);
        assertEquals(11, receiver.lastLsn());
    }

    @Test
    void catchUpAcceptsIncreasingLsnsWithGapsThenCaughtUpThenStrictOrder() throws Exception {
        List<Long> got = new ArrayList<>();
        StreamReceiver receiver = new StreamReceiver(0, (lsn, r) -> got.add(lsn));
        receiver.expectCatchUp(50);
        assertTrue(receiver.catchingUp());
        receiver.receive(3, new Seed(3));
        receiver.receive(4, new Seed(4));
        receiver.receive(40, new Seed(40));
        assertEquals(40, receiver.takeAck());
        var dup = assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(40, new Seed(40)));
        assertTrue(dup.getMessage().contains("catch-up"), dup.getMessage());
        var high = assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(50, new Seed(50)));
        assertTrue(high.getMessage().contains("at or above 50"), high.getMessage());
        var wrongEnd = assertThrows(ReplicationProtocolException.class, () -> receiver.caughtUp(48));
        assertTrue(wrongEnd.getMessage().contains("expected CAUGHT_UP at 49"), wrongEnd.getMessage());
        receiver.caughtUp(49);
        assertFalse(receiver.catchingUp());
        assertTrue(receiver.ackDue());
        assertEquals(49, receiver.takeAck());
        receiver.receive(50, new Seed(50));
        assertThrows(OutOfOrderRecordException.class, () -> receiver.receive(52, new Seed(52)));
        var again = assertThrows(ReplicationProtocolException.class, () -> receiver.caughtUp(50));
        assertTrue(again.getMessage().contains("no catch-up was announced"), again.getMessage());
        assertEquals(List.of(3L, 4L, 40L, 50L), got);
    }

    @Test
    void onlyAnEmptyReceiverTakesACatchUp() {
        StreamReceiver holding = new StreamReceiver(5, (lsn, r) -> { });
        assertThrows(IllegalStateException.class, () -> holding.expectCatchUp(10));
        StreamReceiver empty = new StreamReceiver(0, (lsn, r) -> { });
        assertThrows(IllegalArgumentException.class, () -> empty.expectCatchUp(1));
        var e = assertThrows(ReplicationProtocolException.class, () -> empty.caughtUp(0));
        assertTrue(e.getMessage().contains("no catch-up was announced"), e.getMessage());
    }
}
