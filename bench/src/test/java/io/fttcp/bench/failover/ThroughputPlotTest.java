package io.fttcp.bench.failover;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputPlotTest {
    private static final long MS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void writesAPngWithTheFailureMarked() throws IOException {
        ReadTimeline t = new ReadTimeline();
        for (long ms = 0; ms < 300; ms++) {
            if (ms < 100 || ms > 140) {
                t.record(ms * MS, 1_000_000);
            }
        }
        StallTrial trial = new StallTrial(Failure.KILL, 100 * MS, t.stallAfter(100 * MS), t.longestGapBefore(100 * MS), true, 0, t);
        Path png = dir.resolve("sub/plot.png");
        ThroughputPlot.write(trial, "test", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image");
        assertEquals(1000, image.getWidth());
        assertEquals(450, image.getHeight());
        boolean red = false;
        for (int x = 0; x < image.getWidth() && !red; x++) {
            for (int y = 0; y < image.getHeight() && !red; y++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                red = rgb == 0xff0000;
            }
        }
        assertTrue(red, "no marker at the failure");
    }

    @Test
    void aTimelineWithoutTwoReadsIsNotPlotted() {
        StallTrial empty = new StallTrial(Failure.KILL, 0, -1, 0, false, 0, new ReadTimeline());
        assertThrows(IOException.class, () -> ThroughputPlot.write(empty, "test", dir.resolve("x.png")));
    }
}
