package io.fttcp.stack.host;

import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class InitialSequenceNumbersTest {
    @Test
    void sameTupleAdvancesWithTheClockAndOtherTuplesDiffer() {
        InitialSequenceNumbers isn = new InitialSequenceNumbers(1, 2);
        FourTuple a = new FourTuple(0xC6120001, 80, 0xC612000A, 40000);
        FourTuple b = new FourTuple(0xC6120001, 80, 0xC612000A, 40001);
        int a0 = isn.next(a, 0), a1 = isn.next(a, 4_000_000);
        assertEquals(1000, a1 - a0, "4 microsecond clock");
        assertNotEquals(isn.next(a, 0), isn.next(b, 0));
        assertNotEquals(new InitialSequenceNumbers(3, 4).next(a, 0), a0, "secret changes the offset");
    }
}
