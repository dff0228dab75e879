package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LearningSwitchTest {
    private Simulation sim;
    private SimulatedNetwork net;
    private SimPort a;
    private SimPort b;
    private SimPort c;
    private Recorder atA;
    private Recorder atB;
    private Recorder atC;

    @BeforeEach
    void setUp() {
        sim = new Simulation(1);
        net = sim.network();
        a = net.attach("a");
        b = net.attach("b");
        c = net.attach("c");
        atA = Recorder.on(a);
        atB = Recorder.on(b);
        atC = Recorder.on(c);
    }

    @Test
    void floodsUnknownDestinationsThenForwardsToTheLearnedPort() {
        a.send(TestFrames.frame(b, a, 1, 60));
        sim.runUntilIdle();
        assertEquals(List.of(1), atB.sequences());
        assertEquals(List.of(1), atC.sequences(), "unknown destination is flooded");
        assertEquals(0, atA.count(), "never sent back out of the ingress port");

        b.send(TestFrames.frame(a, b, 2, 60));
        sim.runUntilIdle();
        assertEquals(List.of(2), atA.sequences());
        assertEquals(List.of(1), atC.sequences(), "a was learned: no flooding");

        a.send(TestFrames.frame(b, a, 3, 60));
        sim.runUntilIdle();
        assertEquals(List.of(1, 3), atB.sequences());
        assertEquals(List.of(1), atC.sequences(), "b was learned: no flooding");
    }

    @Test
    void broadcastAndMulticastGoToEveryOtherPort() {
        b.send(TestFrames.frame(a, b, 0, 60)); // b is known now
        sim.runUntilIdle();
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 1, 60));
        a.send(TestFrames.frame(0x01_00_5E_00_00_01L, a.mac(), 2, 60));
        sim.runUntilIdle();
        assertEquals(List.of(1, 2), atB.sequences());
        assertEquals(List.of(0, 1, 2), atC.sequences());
        assertEquals(List.of(0), atA.sequences());
    }

    @Test
    void aMacThatMovesIsRelearnedOnItsNewPort() {
        long virtualMac = 0x00_00_5E_00_01_01L; // VRRP-style, owned by whoever is primary
        b.send(TestFrames.frame(TestFrames.BROADCAST, virtualMac, 1, 60));
        sim.runUntilIdle();
        a.send(TestFrames.frame(virtualMac, a.mac(), 2, 60));
        sim.runUntilIdle();
        assertEquals(List.of(2), atB.sequences(), "b announced the virtual MAC");

        c.send(TestFrames.frame(TestFrames.BROADCAST, virtualMac, 3, 60)); // gratuitous announcement from c
        sim.runUntilIdle();
        a.send(TestFrames.frame(virtualMac, a.mac(), 4, 60));
        sim.runUntilIdle();
        assertEquals(List.of(2, 3), atB.sequences(), "the MAC moved away from b");
        assertEquals(List.of(1, 4), atC.sequences());
    }

    @Test
    void unicastBackToTheIngressPortIsFiltered() {
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 1, 60));
        sim.runUntilIdle();
        a.send(TestFrames.frame(a, a, 2, 60));
        sim.runUntilIdle();
        assertEquals(1, net.filtered());
        assertEquals(0, atA.count());
    }

    @Test
    void portDownMakesTheSwitchForgetItsMacs() {
        b.send(TestFrames.frame(a, b, 1, 60));
        sim.runUntilIdle();
        b.linkDown();
        b.linkUp();
        a.send(TestFrames.frame(b, a, 2, 60));
        sim.runUntilIdle();
        assertEquals(List.of(1, 2), atC.sequences(), "b was forgotten: flooded again");
        assertEquals(List.of(2), atB.sequences());
    }

    @Test
    void framesAreCopiedOnSendAndTheSendersBufferIsLeftAlone() {
        ByteBuffer frame = TestFrames.frame(b, a, 7, 100);
        byte[] original = new byte[100];
        frame.get(frame.position(), original);
        a.send(frame);
        assertEquals(0, frame.position(), "send must not consume the caller's buffer");
        assertEquals(100, frame.limit());
        frame.put(20, (byte) 0x55).putInt(14, 99); // the sender reuses its buffer at once
        sim.runUntilIdle();
        assertArrayEquals(original, atB.arrivals.getFirst().bytes());
    }

    @Test
    void sendsOnlyPositionToLimit() {
        ByteBuffer frame = ByteBuffer.allocate(200);
        frame.position(50);
        frame.put(TestFrames.frame(b, a, 5, 80));
        frame.flip().position(50);
        a.send(frame);
        sim.runUntilIdle();
        assertEquals(80, atB.arrivals.getFirst().length());
        assertEquals(5, atB.arrivals.getFirst().sequence());
    }

    @Test
    void portsHaveDistinctLocallyAdministeredMacsAndUniqueNames() {
        assertEquals(0x02_00_00_00_00_01L, a.mac());
        assertEquals(0x02_00_00_00_00_02L, b.mac());
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 3}, c.macBytes());
        assertEquals(b, net.port("b"));
        assertThrows(IllegalArgumentException.class, () -> net.attach("a"));
        assertThrows(IllegalArgumentException.class, () -> net.port("nope"));
    }

    @Test
    void runtsAreCountedDropsAndFramesWithoutAReceiverAreCounted() {
        a.send(ByteBuffer.allocate(13));
        b.setReceiver(null);
        a.send(TestFrames.frame(b, a, 1, 60));
        sim.runUntilIdle();
        assertEquals(1, a.stats().dropped(DropCause.MALFORMED));
        assertEquals(1, b.stats().dropped(DropCause.NO_RECEIVER));
        assertEquals(2, a.stats().framesSent());
        assertEquals(1, atC.count());
    }
}
