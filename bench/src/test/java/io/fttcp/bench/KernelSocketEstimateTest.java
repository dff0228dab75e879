package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class KernelSocketEstimateTest {

    @Test
    void theServersSlabShareIsKernelGrowthMinusStackGrowth() {
        Measurements m = new Measurements();
        m.add(Metric.KERNEL_SLAB_BYTES, Variant.KERNEL, 7000);
        m.add(Metric.KERNEL_SLAB_BYTES, Variant.STACK, 3400);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.KERNEL, 800);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.STACK, 1200);
        assertEquals(3600.0, KernelSocketEstimate.serverSlabBytes(m).orElseThrow());
        String line = KernelSocketEstimate.line(m).orElseThrow();
        assertTrue(line.contains("kernel (a) ~4400 B (JVM 800 + kernel slab ~3600"), line);
        assertTrue(line.contains("stack (b) 1200 B"), line);
    }

    @Test
    void withoutBothSlabFiguresThereIsNoEstimate() {
        Measurements m = new Measurements();
        m.add(Metric.KERNEL_SLAB_BYTES, Variant.KERNEL, 7000);
        m.add(Metric.IDLE_CONNECTION_BYTES, Variant.KERNEL, 800);
        assertTrue(KernelSocketEstimate.serverSlabBytes(m).isEmpty());
        assertTrue(KernelSocketEstimate.line(m).isEmpty());
    }
}
