package io.fttcp.bench.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryPlotTest {

    @TempDir
    Path dir;

    @Test
    void writesAPngOfTheMeasuredRecoveries() throws IOException {
        RecoveryLog log = new RecoveryLog(400, 1 << 20, 60_000, 2_000, 1, "", 100, 9_000, -1);
        List<LogSizeTrial> trials = List.of(
                new LogSizeTrial(1, LogSizeTrial.Recovery.STANDBY, 250_000_000, Optional.of(log), Optional.of(new RecoveryBreakdown(100, 60, 40, 50)), true),
                new LogSizeTrial(16, LogSizeTrial.Recovery.STANDBY, 600_000_000, Optional.empty(), Optional.empty(), true),
                new LogSizeTrial(64, LogSizeTrial.Recovery.STANDBY, -1, Optional.empty(), Optional.empty(), false),
                new LogSizeTrial(1, LogSizeTrial.Recovery.RESTART_IN_PLACE, 1_500_000_000, Optional.of(log), Optional.empty(), true));
        Path png = dir.resolve("sub").resolve("plot.png");
        RecoveryPlot.write(trials, "test", png);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void nothingMeasuredIsAnError() {
        List<LogSizeTrial> none = List.of(new LogSizeTrial(1, LogSizeTrial.Recovery.STANDBY, -1, Optional.empty(), Optional.empty(), false));
        assertThrows(IOException.class, () -> RecoveryPlot.write(none, "test", dir.resolve("x.png")));
    }
}
