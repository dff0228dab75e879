package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SummaryTableTest {

    @Test
    void showsBothMediansAndTheRatioPerMetric() {
        Measurements m = new Measurements();
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 800);
        m.add(Metric.DOWNLOAD, Variant.STACK, 600);
        m.add(Metric.DOWNLOAD, Variant.STACK, 500);
        m.add(Metric.DOWNLOAD, Variant.STACK, 700);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.STACK, 1206.6);
        m.addFailure(Metric.UPLOAD, Variant.STACK);
        List<String> lines = SummaryTable.lines(m, BenchPlan.quick());
        assertEquals(1 + Metric.values().length, lines.size());
        String download = lines.get(1 + Metric.DOWNLOAD.ordinal());
        assertTrue(download.matches("download, 1 connection +MB/s +800\\.0 +600\\.0 +0\\.750 +500\\.0\\.\\.700\\.0 +0\\.875"), download);
        assertTrue(lines.get(1 + Metric.UPLOAD.ordinal()).contains("FAILED TRIALS: 1"), lines.get(1 + Metric.UPLOAD.ordinal()));
        assertTrue(lines.get(1 + Metric.AGGREGATE.ordinal()).startsWith("download, 64 connections"));
        String idle = lines.get(1 + Metric.IDLE_CONNECTION_BYTES.ordinal());
        assertTrue(idle.contains(" n/a ") && idle.contains(" 1207 "), idle);
    }
}
