package io.fttcp.roles.metrics;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReadingTest {
    @Test
    void namesFollowPrometheusRulesAndCountersLeaveTheirSuffixToTheExposition() {
        assertThrows(IllegalArgumentException.class, () -> Reading.gauge("protection", "no prefix", 1));
        assertThrows(IllegalArgumentException.class, () -> Reading.gauge("fttcp_Held", "not snake case", 1));
        assertThrows(IllegalArgumentException.class, () -> Reading.counter("fttcp_forces_total", "the exposition adds _total", 1));
        assertThrows(IllegalArgumentException.class, () -> Reading.gauge("fttcp_level_total", "reserved for any kind", 1));
        assertThrows(IllegalArgumentException.class, () -> Reading.gauge("fttcp_build_info", "reserved", 1));
        assertEquals(1.0, Reading.gauge("fttcp_held_bytes", "a level", 1).value());
    }

    @Test
    void labelsAddUp() {
        Reading r = Reading.flag("fttcp_protection", "state", true).labelled("state", "PROTECTED").labelled("cluster", "a");
        assertEquals(Map.of("state", "PROTECTED", "cluster", "a"), r.labels());
        assertEquals(1.0, r.value());
        assertEquals(0.0, Reading.flag("fttcp_fenced", "fenced", false).value());
    }

    private enum Phase { FIRST, SECOND, THIRD }

    @Test
    void aStateIsOneFlagPerValueSetForTheCurrentOne() {
        var flags = Reading.state("fttcp_phase", "phase", Phase.SECOND);
        assertEquals(3, flags.size());
        for (Reading r : flags) {
            assertEquals(r.labels().get("state").equals("SECOND") ? 1.0 : 0.0, r.value(), r.toString());
        }
    }
}
