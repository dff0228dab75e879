package io.fttcp.roles.sim;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.wrappers.ssw.SswStats;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary half of primary/backup on the simulated network: unmodified client stacks
 * transfer random amounts both ways (and request-response exchanges) through the protected
 * service, over links with loss, duplication and reordering, while the backup acknowledges
 * promptly or lags by up to 200 ms. Every stream must arrive byte-exact and close in order; on
 * the wire toward the clients no ACK, SYN-ACK, output byte or FIN may run ahead of stability;
 * and the backup's image rebuilt from the records must hold exactly what each client sent.
 */
class PrimaryProtectionSimulationTest {
    static final long BASE_SEED = 0x9B1_0001L;
    static final int DEFAULT_SEEDS = 1000;

    record Outcome(int connections, long bytes, long records, SswStats ssw, PromiseChecker checker) {
    }

    /** An extra observer for investigating one seed (see SeedTrace). */
    static io.fttcp.sim.net.NetworkObserver observer;

    static Outcome run(long seed) {
        Transfers transfers = new Transfers();
        SplittableRandom setup = new SplittableRandom(seed ^ 0x5E7_0001L);
        LinkConditions primaryLink = setup.nextInt(3) == 0 ? LinkConditions.ideal() : PrimaryWorld.randomConditions(setup);
        long[] replication = PrimaryWorld.randomReplication(setup);
        PrimaryWorld world = new PrimaryWorld(seed, primaryLink, replication, transfers::serverAppFor);
        transfers.attach(world);
        if (observer != null) world.sim.network().addObserver(observer);
        SplittableRandom r = world.choices;
        int hosts = r.nextInt(1, 3);
        SimStackHost[][] clients = new SimStackHost[hosts][];
        for (int h = 0; h < hosts; h++) {
            clients[h] = world.addClient("client" + h, 2 + h, PrimaryWorld.randomConditions(r));
        }
        int connections = r.nextInt(1, 6);
        for (int i = 0; i < connections; i++) {
            transfers.open(clients[r.nextInt(hosts)], Transfers.Plan.random(r, 256 * 1024), r.nextLong(0, 200 * MS));
        }
        boolean ended = transfers.runToEnd(Duration.ofMinutes(30));
        String where = "primary link " + primaryLink + ", replication delay/jitter/max ack delay " + replication[0] + "/"
                + replication[1] + "/" + replication[2] + " ns, " + world.checker + ", " + transfers.describe();
        assertTrue(ended, "transfers did not end within 30 min of virtual time: " + where);
        transfers.checkAll(where);
        return new Outcome(connections, transfers.bytes(), world.log.lastLsn(), world.primary.ssw().stats(), world.checker);
    }

    @Test
    void streamsAreByteExactAndTheWireNeverRunsAheadOfStability() {
        long started = System.nanoTime();
        long[] totals = new long[10];
        int[] passed = new int[1];
        AssertionError failed = null;
        int count = 0;
        try {
            count = EverySeed.run(BASE_SEED, DEFAULT_SEEDS, seed -> {
                Outcome o = run(seed);
                passed[0]++;
                totals[0]++;
                totals[1] += o.connections();
                totals[2] += o.bytes();
                totals[3] += o.records();
                totals[4] += o.ssw().clamped;
                totals[5] += o.ssw().held;
                totals[6] += o.ssw().wrapperAcks;
                totals[7] += o.checker().acks;
                totals[8] += o.checker().dataSegments;
                totals[9] += o.checker().synAcks;
            });
        } catch (AssertionError e) {
            failed = e;
        }
        System.out.printf("primary protection: %d seeds passed, %d connections, %.1f MiB checked, %d records; wrapper"
                        + " clamped %d ACKs, held %d packets, sent %d ACKs; checked %d ACKs, %d data segments, %d SYN-ACKs;"
                        + " %.1f s%n", totals[0], totals[1], totals[2] / 1048576.0, totals[3], totals[4], totals[5],
                totals[6], totals[7], totals[8], totals[9], (System.nanoTime() - started) / 1e9);
        if (failed != null) throw failed;
        if (totals[0] >= 20) {
            // The runs exercised what the checks are about.
            assertTrue(totals[4] > 0 && totals[5] > 0 && totals[6] > 0, "clamping, holding and wrapper ACKs all happened");
        }
    }
}
