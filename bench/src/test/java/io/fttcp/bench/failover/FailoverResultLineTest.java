package io.fttcp.bench.failover;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FailoverResultLineTest {

    @Test
    void formatsExactlyTheIssuesFieldsInOrder() {
        FailoverResultLine r = new FailoverResultLine(OptionalDouble.of(31.25), OptionalDouble.of(48.0), OptionalDouble.of(187.04),
                150, OptionalDouble.of(0.9312), OptionalDouble.of(0.8), OptionalDouble.of(-3.5), 19, 20);
        assertEquals("RESULT failover kill_stall_ms_p50=31.3 kill_stall_ms_max=48.0 linkdown_stall_ms_p50=187.0 detect_timeout_ms=150"
                + " down_ratio=0.931 up_ratio=0.800 rr_p50_added_us=-3.5 intact=19/20", r.format());
    }

    @Test
    void whatWasNotMeasuredIsNanAndParsesBack() {
        FailoverResultLine r = new FailoverResultLine(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.of(200),
                150, OptionalDouble.empty(), OptionalDouble.of(1.5), OptionalDouble.empty(), 0, 2);
        String line = r.format();
        assertEquals("RESULT failover kill_stall_ms_p50=nan kill_stall_ms_max=nan linkdown_stall_ms_p50=200.0 detect_timeout_ms=150"
                + " down_ratio=nan up_ratio=1.500 rr_p50_added_us=nan intact=0/2", line);
        assertEquals(line, FailoverResultLine.parse(line).format());
    }

    @Test
    void refusesMalformedLines() {
        String good = "RESULT failover kill_stall_ms_p50=1.0 kill_stall_ms_max=2.0 linkdown_stall_ms_p50=3.0 detect_timeout_ms=150"
                + " down_ratio=0.900 up_ratio=0.800 rr_p50_added_us=10.0 intact=3/3";
        FailoverResultLine.parse(good);
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse("RESULT stack down_ratio=1"));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(good.replace(" intact=3/3", "")));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(good.replace("intact=3/3", "intact=4/3")));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(good.replace("intact=3/3", "intact=3")));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(good + " extra=1"));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(good.replace("up_ratio=0.800", "up_ratio=Infinity")));
        assertThrows(IllegalArgumentException.class, () -> FailoverResultLine.parse(null));
    }
}
