package io.fttcp.e2e;

import io.fttcp.bench.transfers.TransfersBench;
import io.fttcp.bench.transfers.TransfersPlan;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bench transfers}, the diagnostic, end to end with a logger: each upload is checked
 * (the server's sha256), the per-thread table names the primary's and the logger's threads, and
 * the last line carries measured figures. Needs root.
 */
class TransfersBenchE2eTest {
    private static final Pattern RESULT = Pattern.compile(
            "RESULT transfers service=logger direction=upload mib=8 mb_per_s_p50=([0-9.]+) server_cpu_s_per_gb_p50=([0-9.]+) failed=0");

    @TempDir
    Path results;

    @Test
    @Timeout(180)
    void uploadsToALoggedServiceAreMeasuredWithTheirServersThreads() throws Exception {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        TransfersPlan plan = new TransfersPlan(TransfersPlan.Service.LOGGER, true, 8L << 20, 1, 2, "batch");
        int code = new TransfersBench(plan, new PrintWriter(out, true), new PrintWriter(err, true), results).run();
        String printed = out + "\nstderr:\n" + err;
        assertEquals(0, code, printed);
        Matcher m = RESULT.matcher(out.toString().strip().lines().toList().getLast());
        assertTrue(m.matches(), printed);
        assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0, printed);
        assertTrue(printed.contains("measured upload  3: "), printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("  primary  ")) && printed.lines().anyMatch(l -> l.startsWith("  logger   ")), printed);
    }
}
