package io.fttcp.e2e;

import io.fttcp.bench.recovery.RecoveryBench;
import io.fttcp.bench.recovery.RecoveryPlan;
import io.fttcp.bench.recovery.RecoveryResultLine;
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
 * {@code bench recovery --quick} end to end: every part runs (recoveries by a standby and by a
 * restart in place, 1 and 100 live connections, protected versus unprotected by fsync policy,
 * one logger for four primaries), every trial is intact, every figure of the last line is
 * measured, and the plot is written. Whether the figures meet their targets is the benchmark's
 * report, not this test's. Needs root; it lives here because the servers run the command line,
 * which the bench module cannot see.
 */
class RecoveryBenchE2eTest {

    @TempDir
    Path results;

    @Test
    @Timeout(300)
    void theQuickRunMeasuresEveryFigureWithEveryTrialIntact() throws Exception {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path docsPlot = results.resolve("docs").resolve("recovery-vs-log-size.png");
        int code = new RecoveryBench(RecoveryPlan.quick(), new PrintWriter(out, true), new PrintWriter(err, true), results, docsPlot).run();
        String printed = out + "\nstderr:\n" + err;
        RecoveryResultLine r = RecoveryResultLine.parse(out.toString().strip().lines().toList().getLast());
        // (a) 2 sizes (1 MiB several times) + the restart in place, (b) 1 + 100 connections, (c) 4 variants x (download + upload), (d) 4 downloads.
        int planned = RecoveryPlan.quick().logSizesMib().size() - 1 + RecoveryPlan.quick().oneMibTrials() + 1
                + RecoveryPlan.quick().connectionCounts().stream().mapToInt(Integer::intValue).sum()
                + 4 * 2 * RecoveryPlan.quick().transfers() + 4;
        // A trial whose service broke up by itself before the kill (a false detection under load) is repeated: more trials.
        assertTrue(r.trials() >= planned, "at least " + planned + " trials:\n" + printed);
        assertEquals(r.trials(), r.intact(), "every trial intact:\n" + printed);
        assertEquals(0, code, printed);
        for (var v : List.of(r.replayMibPerSecond(), r.recoveryMillis1Mib(), r.downRatioBatch(), r.upRatioBatch())) {
            assertTrue(v.isPresent() && v.getAsDouble() > 0, printed);
        }
        assertEquals(RecoveryBench.DETECT_TIMEOUT_MILLIS, r.detectTimeoutMillis());
        assertTrue(printed.contains("restart in place (new JVM): recovery "), printed);
        assertTrue(printed.contains("4 of 4 intact"), printed);
        try (var files = Files.list(results)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(n -> n.endsWith("-log-size.png")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("recovery-") && n.endsWith(".txt")), names.toString());
        }
        assertTrue(Files.size(docsPlot) > 0, "the plot's copy");
    }
}
