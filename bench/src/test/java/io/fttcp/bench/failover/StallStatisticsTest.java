package io.fttcp.bench.failover;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StallStatisticsTest {

    private static StallTrial trial(Failure f, double stallMillis) {
        return new StallTrial(f, 0, Math.round(stallMillis * 1e6), 0, true, 0, new ReadTimeline());
    }

    @Test
    void medianAndMaximumPerFailureIgnoringTrialsWithoutDataAfterTheFailure() {
        List<StallTrial> trials = List.of(trial(Failure.KILL, 30), trial(Failure.KILL, 10), trial(Failure.LINK_DOWN, 500),
                trial(Failure.KILL, 20), trial(Failure.KILL, 90), new StallTrial(Failure.KILL, 0, -1, 0, false, 0, new ReadTimeline()));
        StallStatistics kill = StallStatistics.of(trials, Failure.KILL);
        assertEquals(5, kill.trials());
        assertEquals(4, kill.measured());
        assertEquals(25.0, kill.p50Millis().getAsDouble(), 1e-9);
        assertEquals(90.0, kill.maxMillis().getAsDouble(), 1e-9);
        StallStatistics link = StallStatistics.of(trials, Failure.LINK_DOWN);
        assertEquals(500.0, link.p50Millis().getAsDouble(), 1e-9);
    }

    @Test
    void noMeasuredTrialIsNoValue() {
        StallStatistics s = StallStatistics.of(List.of(trial(Failure.KILL, 5)), Failure.LINK_DOWN);
        assertEquals(0, s.trials());
        assertTrue(s.p50Millis().isEmpty() && s.maxMillis().isEmpty());
    }
}
