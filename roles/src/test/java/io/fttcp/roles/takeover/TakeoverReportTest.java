package io.fttcp.roles.takeover;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The takeover's one line: what an operator reads after a failover. */
class TakeoverReportTest {

    @Test
    void saysHowManyClientsOfConnectionsTheOldPrimaryEndedItReset() {
        Takeover.Report none = new Takeover.Report(55_000, true, 3, Map.of(), 0, 2_000, 351_000, 4_096_000, 10_000, 4_952_000);
        assertEquals("restored 3 connection(s); drain 55 us, lock 2 us, restore 351 us, announce 4096 us, resume 10 us, total 4952 us",
                none.toString(), "nothing said of resets when there were none (the e2e tests and operators parse this line)");
        Takeover.Report two = new Takeover.Report(55_000, true, 3, Map.of(), 2, 2_000, 351_000, 4_096_000, 10_000, 4_952_000);
        assertEquals("restored 3 connection(s), reset the clients of 2 connection(s) the old primary's stack had ended; drain 55 us, lock 2 us,"
                + " restore 351 us, announce 4096 us, resume 10 us, total 4952 us", two.toString());
    }
}
