package io.fttcp.roles.sim;

import io.fttcp.replication.record.Record;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.wrappers.ssw.RecordSink;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire checks can fail: a wrapper told that everything appended is already stable (while
 * the backup still acknowledges 5-50 ms later) lets SYN-ACKs, ACKs and output run ahead of the
 * real stability, and the checker must catch it, though the transfer itself completes.
 */
class PromiseCheckerTest {
    @Test
    void aWrapperThatRunsAheadOfStabilityIsCaught() {
        for (long seed = 1; seed <= 5; seed++) {
            Transfers transfers = new Transfers();
            long[] replication = {5 * MS, MS, 50 * MS};
            PrimaryWorld[] holder = new PrimaryWorld[1];
            PrimaryWorld world = new PrimaryWorld(seed, LinkConditions.ideal().withDelay(MS), replication, transfers::serverAppFor,
                    log -> new RecordSink() {
                        @Override
                        public long append(Record record, long now) {
                            return log.append(record, now);
                        }

                        @Override
                        public long stableLsn() {
                            return holder[0].log.lastLsn(); // a lie: nothing waits for the backup
                        }
                    });
            holder[0] = world;
            transfers.attach(world);
            SimStackHost[] client = world.addClient("client", 2, LinkConditions.ideal().withDelay(MS));
            transfers.open(client, new Transfers.Plan(64 * 1024, 64 * 1024, null, seed, ~seed), 0);
            assertTrue(transfers.runToEnd(Duration.ofMinutes(5)), "seed " + seed + ": " + transfers.describe());
            String violation = world.checker.violation();
            assertNotNull(violation, "seed " + seed + ": the checker missed a wrapper that ignores stability, " + world.checker);
            assertTrue(violation.startsWith("SYN-ACK before its CONNECT is stable"), "seed " + seed + ": " + violation);
        }
    }
}
