package io.fttcp.replication.stream;

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
}
