package io.fttcp.e2e;

import io.fttcp.bench.failover.FailoverBench;
import io.fttcp.bench.failover.FailoverPlan;
import io.fttcp.bench.failover.FailoverResultLine;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bench failover} at its smallest (one trial of each failure, one round of (b)): every
 * measurement works end to end and the last line is a RESULT line of measured values. Whether the
 * figures meet their targets, and whether a pair broke up by itself on a loaded machine (exit code
 * 1, trials repeated), is the benchmark's report, not this test's. Needs root; it lives here
 * because the replicas run the command line, which the bench module cannot see.
 */
class FailoverBenchE2eTest {

    @TempDir
    Path results;

    @Test
    @Timeout(180)
    void aTinyRunMeasuresEveryFigureAndPlotsTheFailovers() throws Exception {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new FailoverBench(FailoverPlan.smoke(), new PrintWriter(out, true), new PrintWriter(err, true), results).run();
        String printed = out + "\nstderr:\n" + err;
        assertTrue(code == 0 || code == 1, printed);
        FailoverResultLine r = FailoverResultLine.parse(out.toString().strip().lines().toList().getLast());
        assertTrue(r.trials() >= 2, printed);
        assertTrue(r.intact() >= 2, "a download across each failure arrives intact:\n" + printed);
        for (var v : List.of(r.killStallP50(), r.killStallMax(), r.linkDownStallP50(), r.downRatio(), r.upRatio())) {
            assertTrue(v.isPresent() && v.getAsDouble() > 0, printed);
        }
        assertTrue(r.rrP50AddedMicros().isPresent(), printed);
        assertEquals(FailoverBench.DEFAULT_DETECTION.toMillis(), r.detectTimeoutMillis());
        assertTrue(printed.contains("sha256 ok"), printed);
        try (var files = Files.list(results)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(n -> n.endsWith("-kill.png")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.endsWith("-linkdown.png")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".txt")), names.toString());
        }
    }
}
