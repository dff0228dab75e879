package io.fttcp.sim;

import io.fttcp.stack.runtime.TimerDriven;

import io.fttcp.link.FrameLink;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.TraceDigest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness used the way protocol tests will use it: sans-I/O components on hosts, driven by
 * deadline timers, over a faulty network, with a crash, over many seeds.
 */
class StopAndWaitScenarioTest {
    private static final long MS = 1_000_000;
    private static final int MESSAGES = 200;
    private static final short DATA = 0x0001;
    private static final short ACK = 0x0002;

    private static ByteBuffer frame(long dst, long src, short kind, int sequence) {
        ByteBuffer frame = ByteBuffer.allocate(64);
        for (int i = 5; i >= 0; i--) {
            frame.put((byte) (dst >>> (8 * i)));
        }
        for (int i = 5; i >= 0; i--) {
            frame.put((byte) (src >>> (8 * i)));
        }
        frame.putShort((short) 0x88B5).putShort(kind).putInt(sequence);
        return frame.position(0);
    }

    /** Sends messages 0..MESSAGES-1 one at a time, retransmitting every 5 ms until acknowledged. */
    static final class Sender implements TimerDriven {
        private final FrameLink link;
        private final long self;
        private final long peer;
        int next;
        long lastSent;
        int timerRuns;

        Sender(FrameLink link, long self, long peer, long now) {
            this.link = link;
            this.self = self;
            this.peer = peer;
            transmit(now);
        }

        void receive(ByteBuffer frame, long now) {
            if (frame.getShort(14) == ACK && frame.getInt(16) == next && next < MESSAGES) {
                next++;
                transmit(now);
            }
        }

        private void transmit(long now) {
            if (next < MESSAGES) {
                link.send(frame(peer, self, DATA, next));
                lastSent = now;
            }
        }

        @Override
        public long nextDeadline() {
            return next < MESSAGES ? lastSent + 5 * MS : NO_DEADLINE;
        }

        @Override
        public void onTimer(long now) {
            timerRuns++;
            if (now >= nextDeadline()) {
                transmit(now);
            }
        }
    }

    /** Delivers each message once, in order, and acknowledges everything it has. */
    static final class Receiver {
        final List<Integer> delivered = new ArrayList<>();
        private final FrameLink link;
        private final long self;

        Receiver(FrameLink link, long self) {
            this.link = link;
            this.self = self;
        }

        void receive(ByteBuffer frame, long now) {
            if (frame.getShort(14) != DATA) {
                return;
            }
            int sequence = frame.getInt(16);
            if (sequence == delivered.size()) {
                delivered.add(sequence);
            }
            if (sequence < delivered.size()) {
                long from = frame.getLong(6) >>> 16;
                link.send(frame(from, self, ACK, sequence));
            }
        }
    }

    record Outcome(List<Integer> delivered, String trace, int deadSenderTimerRuns) {
    }

    static Outcome run(long seed) {
        Simulation sim = new Simulation(seed);
        LinkConditions faulty = LinkConditions.ideal().withDelay(MS).withJitter(MS / 2).withLoss(0.1)
                .withDuplication(0.05).withReordering(0.05, 2 * MS).withBandwidth(10_000_000, 16 * 1024);
        SimHost client = sim.addHost("client", faulty);
        SimHost server = sim.addHost("server", faulty);
        TraceDigest trace = TraceDigest.on(sim.network());
        Receiver[] receiver = new Receiver[1];
        server.start(life -> {
            receiver[0] = new Receiver(life.link(), life.mac());
            life.link().setReceiver(receiver[0]::receive);
        });
        List<Sender> senders = new ArrayList<>();
        client.start(life -> {
            Sender sender = new Sender(life.link(), life.mac(), server.port().mac(), life.now());
            senders.add(sender);
            DeadlineTimer timer = life.timer(sender);
            life.link().setReceiver(timer.wrap(sender::receive));
        });
        // The client loses power at a random moment and comes back 20 ms later, starting over.
        long crashAt = sim.newRandom().nextLong(50 * MS, 150 * MS);
        int[] runsAtCrash = new int[1];
        sim.scheduler().schedule(crashAt, () -> {
            client.crash();
            runsAtCrash[0] = senders.getFirst().timerRuns;
        });
        sim.scheduler().schedule(crashAt + 20 * MS, client::restart);

        boolean done = sim.runUntil(() -> receiver[0].delivered.size() == MESSAGES && client.isUp()
                && senders.getLast().next == MESSAGES, Duration.ofSeconds(60));
        assertTrue(done, "transfer finished within 60 s of virtual time; delivered " + receiver[0].delivered.size());
        assertEquals(2, senders.size(), "the client restarted");
        sim.runFor(Duration.ofSeconds(1));
        return new Outcome(receiver[0].delivered, trace.hex(), senders.getFirst().timerRuns - runsAtCrash[0]);
    }

    @Test
    void everyMessageArrivesOnceInOrderDespiteFaultsAndACrash() {
        SimulationSeeds.forEach(0x57A1L, 30, seed -> {
            Outcome outcome = run(seed);
            assertEquals(IntStream.range(0, MESSAGES).boxed().toList(), outcome.delivered());
            assertEquals(0, outcome.deadSenderTimerRuns(), "the crashed sender's timer never runs again");
        });
    }

    @Test
    void aSeedReplaysExactly() {
        assertEquals(run(12345).trace(), run(12345).trace());
        assertNotEquals(run(12345).trace(), run(12346).trace());
    }
}
