package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class KernelSlabTest {

    @Test
    void readsTheSlabLineInBytes() {
        String meminfo = "MemTotal:       24000000 kB\nSlab:             106132 kB\nSReclaimable:      74832 kB\n";
        assertEquals(106132L * 1024, KernelSlab.parse(meminfo).orElseThrow());
    }

    @Test
    void aMissingOrMalformedSlabLineIsEmpty() {
        assertTrue(KernelSlab.parse("MemTotal: 1 kB\n").isEmpty());
        assertTrue(KernelSlab.parse("Slab: lots kB\n").isEmpty());
        assertTrue(KernelSlab.parse("Slab: 12 MB\n").isEmpty());
        assertTrue(KernelSlab.parse("").isEmpty());
    }

    @Test
    void thisMachineHasSlabMemory() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/meminfo")));
        assertTrue(KernelSlab.bytes().orElseThrow() > 0);
    }
}
