package io.fttcp.bench.recovery;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A PNG of (a): recovery time as the client saw it, the time until the recovering server served,
 * and its fetch plus drain,
 * against the client bytes logged for the live connection (MiB, logarithmic axis); the restart in
 * place as its own point.
 */
public final class RecoveryPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 500;

    private RecoveryPlot() {
    }

    static void write(List<LogSizeTrial> trials, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries standby = new XYSeries("recovery, standby on a spare host (kill to first byte at the client)");
        XYSeries ready = new XYSeries("standby: kill to serving (its log line)");
        XYSeries replay = new XYSeries("standby: fetch + drain (replay of the log)");
        XYSeries restart = new XYSeries("recovery, restart in place (a new JVM)");
        for (LogSizeTrial t : trials) {
            if (t.recoveryNanos() < 0) {
                continue;
            }
            if (t.recovery() == LogSizeTrial.Recovery.STANDBY) {
                standby.add(t.logMib(), t.recoveryMillis());
                t.server().ifPresent(s -> replay.add(t.logMib(), s.replayMicros() / 1e3));
                t.breakdown().ifPresent(b -> ready.add(t.logMib(), b.serverReadyMillis()));
            } else {
                restart.add(t.logMib(), t.recoveryMillis());
            }
        }
        if (standby.isEmpty() && restart.isEmpty()) {
            throw new IOException("nothing to plot: no recovery was measured");
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(standby);
        data.addSeries(ready);
        data.addSeries(replay);
        data.addSeries(restart);
        LogAxis x = new LogAxis("client bytes logged for the live connection (MiB)");
        x.setBase(2);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setSmallestValue(0.5);
        x.setNumberFormatOverride(new java.text.DecimalFormat("0"));
        NumberAxis y = new NumberAxis("milliseconds");
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
        renderer.setSeriesPaint(1, new Color(0xff, 0x7f, 0x0e));
        renderer.setSeriesPaint(2, new Color(0x2c, 0xa0, 0x2c));
        renderer.setSeriesPaint(3, new Color(0xd6, 0x27, 0x28));
        renderer.setSeriesLinesVisible(3, false);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
