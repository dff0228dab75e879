package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class MeasurementsTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, Measurements.median(List.of(5.0, 1.0, 3.0)).orElseThrow());
        assertEquals(2.5, Measurements.median(List.of(4.0, 1.0, 2.0, 3.0)).orElseThrow());
        assertEquals(7.0, Measurements.median(List.of(7.0)).orElseThrow());
        assertTrue(Measurements.median(List.of()).isEmpty());
    }

    @Test
    void medianIsOrderIndependentAndHasAsManyValuesOnEachSide() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 1000; round++) {
            int n = 1 + random.nextInt(9);
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add((double) random.nextInt(20));
            }
            double median = Measurements.median(values).orElseThrow();
            long below = values.stream().filter(v -> v < median).count();
            long above = values.stream().filter(v -> v > median).count();
            assertTrue(below <= n / 2 && above <= n / 2, "seed " + seed + ": median " + median + " of " + values);
            List<Double> shuffled = new ArrayList<>(values);
            Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
            assertEquals(median, Measurements.median(shuffled).orElseThrow(), "seed " + seed + ": " + values);
        }
    }

    @Test
    void ratioIsStackOverKernelOfTheMedians() {
        Measurements m = new Measurements();
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 800);
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 1000);
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 900);
        m.add(Metric.DOWNLOAD, Variant.STACK, 450);
        m.add(Metric.DOWNLOAD, Variant.STACK, 500);
        m.add(Metric.DOWNLOAD, Variant.STACK, 100);
        assertEquals(450.0 / 900.0, m.ratio(Metric.DOWNLOAD).orElseThrow(), 1e-12);
        assertEquals(List.of(800.0, 1000.0, 900.0), m.samples(Metric.DOWNLOAD, Variant.KERNEL));
    }

    @Test
    void bestRatioTakesTheHighestThroughputAndTheLowestLatency() {
        Measurements m = new Measurements();
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 800);
        m.add(Metric.DOWNLOAD, Variant.KERNEL, 200);
        m.add(Metric.DOWNLOAD, Variant.STACK, 600);
        m.add(Metric.DOWNLOAD, Variant.STACK, 400);
        assertEquals(0.75, m.bestRatio(Metric.DOWNLOAD).orElseThrow(), 1e-12);
        m.add(Metric.RR_P50, Variant.KERNEL, 30);
        m.add(Metric.RR_P50, Variant.KERNEL, 90);
        m.add(Metric.RR_P50, Variant.STACK, 45);
        m.add(Metric.RR_P50, Variant.STACK, 40);
        assertEquals(40.0 / 30.0, m.bestRatio(Metric.RR_P50).orElseThrow(), 1e-12);
        assertTrue(m.bestRatio(Metric.UPLOAD).isEmpty());
    }

    @Test
    void aRatioNeedsBothVariantsAndANonZeroKernelValue() {
        Measurements m = new Measurements();
        m.add(Metric.UPLOAD, Variant.STACK, 500);
        assertTrue(m.ratio(Metric.UPLOAD).isEmpty());
        m.add(Metric.UPLOAD, Variant.KERNEL, 0);
        assertTrue(m.ratio(Metric.UPLOAD).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> m.add(Metric.UPLOAD, Variant.KERNEL, Double.NaN));
    }

    @Test
    void failuresAreCountedPerMetricAndVariant() {
        Measurements m = new Measurements();
        m.addFailure(Metric.UPLOAD, Variant.STACK);
        m.addFailure(Metric.UPLOAD, Variant.STACK);
        m.addFailure(Metric.RR_P50, Variant.KERNEL);
        assertEquals(2, m.failures(Metric.UPLOAD, Variant.STACK));
        assertEquals(0, m.failures(Metric.UPLOAD, Variant.KERNEL));
        assertEquals(3, m.totalFailures());
    }
}
