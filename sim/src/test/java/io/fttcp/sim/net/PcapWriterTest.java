package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PcapWriterTest {
    @Test
    void writesAReadableCaptureOfOnePortsDeliveries() throws Exception {
        Simulation sim = new Simulation(9);
        SimPort a = sim.network().attach("a", LinkConditions.ideal().withDelay(1_500_000_000L));
        SimPort b = sim.network().attach("b");
        a.setReceiver((f, now) -> { });
        b.setReceiver((f, now) -> { });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter pcap = new PcapWriter(out, b);
        sim.network().addObserver(pcap);
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 1, 100));
        b.send(TestFrames.frame(TestFrames.BROADCAST, b.mac(), 2, 80)); // delivered to a: not captured
        sim.runUntilIdle();
        pcap.close();

        ByteBuffer file = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xA1B23C4D, file.getInt(0));
        assertEquals(2, file.getShort(4));
        assertEquals(4, file.getShort(6));
        assertEquals(1, file.getInt(20), "Ethernet link type");
        assertEquals(24 + 16 + 100, file.limit(), "one record");
        assertEquals(1, file.getInt(24), "seconds");
        assertEquals(500_000_000, file.getInt(28), "nanoseconds");
        assertEquals(100, file.getInt(32));
        assertEquals(100, file.getInt(36));
        assertEquals(1, file.order(ByteOrder.BIG_ENDIAN).getInt(40 + 14), "the frame's bytes follow");
    }
}
