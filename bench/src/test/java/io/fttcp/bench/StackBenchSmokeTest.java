package io.fttcp.bench;

import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The whole benchmark, tiny (a few seconds): every measurement works end to end. Needs root. */
class StackBenchSmokeTest {

    @Test
    void aTinyRunEndsWithAResultLineOfPositiveNumbers() throws Exception {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new StackBench(BenchPlan.smoke(), new PrintWriter(out, true), new PrintWriter(err, true), null).run();
        String printed = out.toString();
        assertEquals(0, code, printed + err);
        List<String> lines = printed.lines().toList();
        ResultLine result = ResultLine.parse(lines.getLast());
        for (var ratio : List.of(result.downRatio(), result.upRatio(), result.aggRatio(), result.rrP50Ratio())) {
            assertTrue(ratio.isPresent() && ratio.getAsDouble() > 0, printed);
        }
        assertTrue(result.idleConnectionBytes().orElseThrow() > 0, printed);
        assertTrue(printed.contains("sha256 ok"), printed);
    }
}
