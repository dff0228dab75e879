package io.fttcp.sim;

import io.fttcp.stack.runtime.TimerDriven;

import io.fttcp.sim.net.DropCause;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.SimPort;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimHostTest {
    private static final long MS = 1_000_000;

    private static ByteBuffer frame(long dst, long src, int sequence) {
        ByteBuffer frame = ByteBuffer.allocate(60);
        for (int i = 5; i >= 0; i--) {
            frame.put((byte) (dst >>> (8 * i)));
        }
        for (int i = 5; i >= 0; i--) {
            frame.put((byte) (src >>> (8 * i)));
        }
        frame.putShort((short) 0x88B5).putInt(sequence);
        return frame.position(0);
    }

    private static int sequence(ByteBuffer frame) {
        return frame.getInt(frame.position() + 14);
    }

    /** What each incarnation of a host received: a list per incarnation number. */
    private static final class Received {
        final List<List<Integer>> byIncarnation = new ArrayList<>();

        void boot(HostIncarnation life) {
            List<Integer> mine = new ArrayList<>();
            byIncarnation.add(mine);
            life.link().setReceiver((frame, now) -> mine.add(sequence(frame)));
        }
    }

    @Test
    void crashDropsFramesInFlightAndRestartReceivesOnTheSamePortAndMac() {
        Simulation sim = new Simulation(11);
        SimHost client = sim.addHost("client", LinkConditions.ideal().withDelay(MS));
        SimHost server = sim.addHost("server", LinkConditions.ideal().withDelay(MS));
        Received received = new Received();
        HostIncarnation first = server.start(received::boot);
        client.start(life -> {
            for (int i = 0; i < 30; i++) {
                int sequence = i;
                life.after(i * MS, () -> life.link().send(frame(server.port().mac(), life.mac(), sequence)));
            }
        });
        long serverMac = server.port().mac();
        sim.scheduler().schedule(10 * MS + MS / 2, server::crash);
        sim.scheduler().schedule(20 * MS + MS / 2, server::restart);
        sim.runUntilIdle();

        assertEquals(2, server.boots());
        assertFalse(first.isAlive());
        assertEquals(1, server.incarnation().number());
        assertEquals(serverMac, server.incarnation().mac());
        // Frame i is sent at i ms, at the switch at i+1 ms, delivered at i+2 ms.
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), received.byIncarnation.get(0), "delivered before the crash");
        assertEquals(List.of(20, 21, 22, 23, 24, 25, 26, 27, 28, 29), received.byIncarnation.get(1), "forwarded after the restart");
        assertEquals(30 - 19, server.port().stats().dropped(DropCause.LINK_DOWN),
                "frames 9 and 10 in flight on the downlink, 11..19 reaching the switch while the port was down");
    }

    @Test
    void crashCancelsTheIncarnationsEventsAndTimersButNotOtherHosts() {
        Simulation sim = new Simulation(12);
        SimHost a = sim.addHost("a");
        SimHost b = sim.addHost("b");
        List<String> ran = new ArrayList<>();
        long[] deadline = {5 * MS};
        a.start(life -> {
            life.after(3 * MS, () -> ran.add("a-event"));
            life.schedule(7 * MS, () -> ran.add("a-late-event"));
            life.timer(TimerDriven.of(() -> deadline[0], now -> {
                ran.add("a-timer@" + now / MS);
                deadline[0] = now + 5 * MS;
            }));
        });
        b.start(life -> life.after(8 * MS, () -> ran.add("b-event")));
        sim.scheduler().schedule(6 * MS, a::crash);
        sim.runFor(100 * MS);
        assertEquals(List.of("a-event", "a-timer@5", "b-event"), ran);
        assertEquals(0, sim.scheduler().pending());
    }

    @Test
    void aCrashedIncarnationIsInert() {
        Simulation sim = new Simulation(13);
        SimHost host = sim.addHost("h");
        SimHost peer = sim.addHost("peer");
        List<Integer> atPeer = new ArrayList<>();
        peer.start(life -> life.link().setReceiver((f, now) -> atPeer.add(sequence(f))));
        List<String> ran = new ArrayList<>();
        long[] deadline = {TimerDriven.NO_DEADLINE};
        List<DeadlineTimer> timers = new ArrayList<>();
        HostIncarnation old = host.start(life -> timers.add(life.timer(TimerDriven.of(() -> deadline[0], now -> {
            ran.add("timer#" + life.number());
            deadline[0] = TimerDriven.NO_DEADLINE;
        }))));
        host.crash();
        host.restart();
        long sentBefore = host.port().stats().framesSent();

        old.link().send(frame(-1L, old.mac(), 1));
        old.link().setReceiver((f, now) -> ran.add("old receiver"));
        ScheduledEvent event = old.after(MS, () -> ran.add("old event"));
        deadline[0] = 2 * MS;
        timers.getFirst().rearm();
        assertFalse(event.isPending());
        assertEquals(TimerDriven.NO_DEADLINE, timers.getFirst().scheduledAt());

        host.incarnation().link().send(frame(-1L, host.port().mac(), 2));
        peer.incarnation().link().send(frame(-1L, peer.port().mac(), 3));
        sim.runFor(10 * MS);
        assertEquals(List.of(), ran, "the new incarnation's timer was not re-armed after the deadline moved");
        timers.getLast().rearm();
        sim.runFor(10 * MS);
        assertEquals(List.of("timer#1"), ran);
        assertEquals(List.of(2), atPeer, "only the new incarnation's frame");
        assertEquals(sentBefore + 1, host.port().stats().framesSent());
        assertEquals(1, host.port().stats().dropped(DropCause.NO_RECEIVER), "the new incarnation set no receiver");
    }

    @Test
    void aHostCanCrashFromInsideItsOwnEvent() {
        Simulation sim = new Simulation(14);
        SimHost host = sim.addHost("h");
        List<String> ran = new ArrayList<>();
        host.start(life -> life.after(MS, () -> {
            host.crash();
            life.after(0, () -> ran.add("scheduled after own crash"));
            life.link().send(frame(-1L, life.mac(), 1));
        }));
        sim.runUntilIdle();
        assertEquals(List.of(), ran);
        assertEquals(0, host.port().stats().framesSent());
        assertFalse(host.isUp());
    }

    @Test
    void lifecycleMisuseIsAnError() {
        Simulation sim = new Simulation(15);
        SimHost host = sim.addHost("h");
        assertThrows(IllegalStateException.class, host::restart);
        host.start(life -> { });
        assertThrows(IllegalStateException.class, () -> host.start(life -> { }));
        assertThrows(IllegalStateException.class, host::restart);
        host.crash();
        host.crash(); // idempotent
        assertTrue(host.restart().isAlive());
        SimPort port = sim.network().port("h");
        assertEquals(host.port(), port);
    }
}
