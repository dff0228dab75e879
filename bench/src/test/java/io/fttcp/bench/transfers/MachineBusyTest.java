package io.fttcp.bench.transfers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MachineBusyTest {
    @Test
    void idleAndIowaitAreNotBusy() {
        MachineBusy a = MachineBusy.parse("cpu  100 0 50 800 50 0 0 0 0 0");
        MachineBusy b = MachineBusy.parse("cpu  250 0 100 900 50 0 0 0 0 0");
        assertEquals(new MachineBusy(150, 1000), a);
        assertEquals(200 / 300.0, b.since(a), 1e-9);
        assertEquals(0, a.since(a));
    }

    @Test
    void otherLinesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> MachineBusy.parse("cpu0 1 2 3 4 5"));
        assertThrows(IllegalArgumentException.class, () -> MachineBusy.parse("cpu 1 2"));
    }
}
