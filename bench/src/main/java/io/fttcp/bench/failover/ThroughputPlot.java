package io.fttcp.bench.failover;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A PNG of the client's throughput over time across one failover: bytes per bin of the client's
 * reads, in MB/s, time in milliseconds from the failure, a vertical marker at the failure.
 */
public final class ThroughputPlot {
    public static final long BIN_NANOS = 10_000_000;
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 450;

    private ThroughputPlot() {
    }

    /** Writes the plot of {@code trial}'s whole download to {@code png}. */
    public static void write(StallTrial trial, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ReadTimeline t = trial.timeline();
        if (t.reads() < 2) {
            throw new IOException("nothing to plot: " + t.reads() + " reads");
        }
        long from = t.time(0);
        long to = t.time(t.reads() - 1) + 1;
        long[] bins = t.bytesPerBin(from, to, BIN_NANOS);
        XYSeries series = new XYSeries("client throughput (" + BIN_NANOS / 1_000_000 + " ms bins)");
        for (int i = 0; i < bins.length; i++) {
            double startMillis = (from + i * BIN_NANOS - trial.failureNanos()) / 1e6;
            series.add(startMillis, bins[i] / (BIN_NANOS / 1e9) / 1e6);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "time from the failure (ms)", "MB/s",
                new XYSeriesCollection(series), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(new XYStepRenderer());
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
        ValueMarker failure = new ValueMarker(0, Color.RED, new BasicStroke(1.5f));
        failure.setLabel(String.format(Locale.ROOT, " %s; stall %.1f ms", trial.failure().description(), trial.stallMillis()));
        failure.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        failure.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addDomainMarker(failure);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
