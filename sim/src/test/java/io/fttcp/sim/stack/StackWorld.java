package io.fttcp.sim.stack;

import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.sim.SimHost;
import io.fttcp.sim.Simulation;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A simulation with stack hosts on one segment, and the checks every transfer test makes. */
final class StackWorld {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final int PORT = 5001;

    final Simulation sim;
    /** The test's own choices, split before any host exists so they do not depend on the hosts. */
    final SplittableRandom choices;
    final TcpConfig tcp;
    private final List<SimStackHost[]> stacks = new ArrayList<>();

    StackWorld(long seed) {
        this(seed, patientTcp());
    }

    StackWorld(long seed, TcpConfig tcp) {
        this.sim = new Simulation(seed);
        this.choices = sim.newRandom();
        this.tcp = tcp;
    }

    /**
     * Default TCP but with more SYN retries: at 10% loss both ways, 7 lost handshake attempts
     * in a row are rare but happen over thousands of connections, and are not a bug.
     */
    static TcpConfig patientTcp() {
        return TcpConfig.defaults().withRetries(12, 15);
    }

    static int ip(int last) {
        return Ipv4Text.parse("10.0.0." + last);
    }

    /**
     * Adds a host with address 10.0.0.{@code last} and starts it: every boot builds a fresh stack
     * and then runs {@code onBoot}. The returned array holds the current stack.
     */
    SimStackHost[] addStackHost(String name, int last, LinkConditions conditions, Consumer<SimStackHost> onBoot) {
        SimHost host = sim.addHost(name, conditions);
        SimStackHost[] current = new SimStackHost[1];
        host.start(life -> {
            current[0] = new SimStackHost(life, tcp, ip(last));
            onBoot.accept(current[0]);
        });
        stacks.add(current);
        return current;
    }

    /** A random link: delay 0-50 ms, jitter, loss 0-10%, duplication 0-5%, reordering 0-10%, sometimes a bandwidth limit with a small queue. */
    static LinkConditions randomConditions(SplittableRandom r) {
        LinkConditions c = LinkConditions.ideal()
                .withDelay(r.nextLong(0, 50 * MS + 1))
                .withJitter(r.nextBoolean() ? 0 : r.nextLong(0, 5 * MS + 1))
                .withLoss(r.nextInt(4) == 0 ? 0 : r.nextDouble(0, 0.10))
                .withDuplication(r.nextInt(3) == 0 ? 0 : r.nextDouble(0, 0.05));
        if (r.nextInt(3) != 0) {
            c = c.withReordering(r.nextDouble(0, 0.10), r.nextLong(1, 20 * MS + 1));
        }
        if (r.nextInt(3) == 0) {
            long bitsPerSecond = r.nextLong(1_000_000, 200_000_000);
            c = c.withBandwidth(bitsPerSecond, r.nextInt(4_000, 64 * 1024));
        }
        return c;
    }

    /** A size from 0 to 2 MiB, spread evenly over orders of magnitude (sometimes exactly 0). */
    static long randomSize(SplittableRandom r) {
        if (r.nextInt(10) == 0) {
            return 0;
        }
        return Math.min(2L << 20, (long) Math.exp(r.nextDouble(0, Math.log(2L << 20))));
    }

    /** Asserts the application finished its work and its connection ended in an orderly close. */
    static void assertOrderly(ConnectionApp app, String side) {
        assertNull(app.failure(), side + " " + app);
        assertTrue(app.isDone(), side + " did not finish: " + app);
        assertEquals(CloseReason.CLOSED, app.closeReason(), side + " did not close in order: " + app);
    }

    /** The applications not closed yet, with their connection's TCP state and counters. */
    static String unfinished(List<? extends ConnectionApp> apps) {
        StringBuilder b = new StringBuilder();
        for (ConnectionApp app : apps) {
            if (!app.isClosed() && app.connection() != null) {
                var tcp = app.connection().tcp();
                var st = tcp.stats();
                b.append("\n  ").append(app).append(": ").append(tcp).append(" srtt=").append(st.srtt / 1_000_000.0)
                        .append("ms cwnd=").append(st.cwnd).append(" ssthresh=").append(st.ssthresh)
                        .append(" retransmits=").append(st.retransmits).append(" fast=").append(st.fastRetransmits)
                        .append(" timeouts=").append(st.timeouts).append(" dupSegs=").append(st.duplicateSegments)
                        .append(" ooo=").append(st.outOfOrderSegments).append(" invalid=").append(st.invalidSegments)
                        .append(" paws=").append(st.pawsRejected).append(" next deadline in ")
                        .append((tcp.nextDeadline() - app.host.now()) / 1e9).append("s");
            }
        }
        return b.toString();
    }

    static boolean allClosed(List<? extends ConnectionApp> apps) {
        for (ConnectionApp app : apps) {
            if (!app.isClosed() && app.failure() == null) {
                return false;
            }
        }
        return true;
    }
}
