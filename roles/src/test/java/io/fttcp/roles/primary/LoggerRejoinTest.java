package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.logger.Events;
import io.fttcp.roles.logger.LoggerHost;
import io.fttcp.roles.logger.Traffic;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A primary under the continue policy loses its logger and serves unprotected, opening new
 * connections meanwhile; the logger comes back, the primary re-joins with a catch-up of its live
 * connections' records ({@link LoggerDial}, as {@code PrimaryHost}'s dial loop does) and is
 * PROTECTED again; then the primary crashes, the logger restarts too, and a recovery fetches
 * exactly the records a logger present all along would serve: every live connection's, those
 * opened while unprotected included, byte for byte (the recovered server replays them).
 */
class LoggerRejoinTest {
    @TempDir
    Path dir;
    private LoopbackLogger loopback;

    @AfterEach
    void closeAll() throws Exception {
        if (loopback != null) loopback.close();
    }

    private static Set<FourTuple> connectionsOf(List<LoggedRecord> records) {
        Set<FourTuple> out = new HashSet<>();
        for (LoggedRecord r : records) if (r.record() instanceof Connect c) out.add(c.tuple());
        return out;
    }

    @Test
    void anUnprotectedPrimaryIsReprotectedWhenTheLoggerReturnsAndARecoveryRestoresEveryLiveConnection() throws Exception {
        for (long seed : new long[] {System.nanoTime(), 1, 2}) run(seed, dir.resolve("seed-" + Long.toHexString(seed)));
    }

    private void run(long seed, Path dir) throws Exception {
        String where = "seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        // Three stretches of traffic: logged; unprotected (the first connections go on and some finish, new ones open); re-protected.
        List<Record> first = Traffic.serverRecords(random, 6 + random.nextInt(6), 0.5, 0);
        List<Record> second = Traffic.serverRecords(random, 6 + random.nextInt(6), 0.4, 100);
        List<Record> third = Traffic.serverRecords(random, 3 + random.nextInt(4), 0.5, 200);
        int firstSplit = first.size() / 2;
        int secondSplit = second.size() / 2;
        List<Record> logged = first.subList(0, firstSplit);
        List<Record> unprotected = new ArrayList<>(first.subList(firstSplit, first.size()));
        unprotected.addAll(second.subList(0, secondSplit));
        List<Record> reprotected = new ArrayList<>(second.subList(secondSplit, second.size()));
        reprotected.addAll(third);

        if (loopback != null) loopback.close();
        loopback = new LoopbackLogger();
        LoggerHost logger = loopback.start(dir);
        ChannelConfig cc = LoopbackLogger.channel("alpha");
        ReplicationLog log = new ReplicationLog(cc.newRecordStream(), cc, FtConfig.Retention.connections);
        PrimaryChannel initial = loopback.dial(log);
        long loggedThrough = LoopbackLogger.append(log, logged);
        LoopbackLogger.await("the first stretch stable (" + where + ")", () -> initial.stableLsn() == loggedThrough);
        assertEquals(Protection.PROTECTED, log.protection());

        logger.close(); // the logger goes away: the primary continues unprotected
        LoopbackLogger.await("unprotected (" + where + ")", () -> log.protection() == Protection.UNPROTECTED);
        long unprotectedThrough = LoopbackLogger.append(log, unprotected);
        assertEquals(Long.MAX_VALUE, log.stableLsn());

        logger = loopback.start(dir); // back on its log, which lacks the unprotected stretch
        PrimaryChannel rejoined = loopback.dial(log);
        assertEquals(Protection.PROTECTED, log.protection(), "protection regained");
        long through = LoopbackLogger.append(log, reprotected);
        assertTrue(through > unprotectedThrough);
        LoopbackLogger.await("the re-protected stretch stable (" + where + ")", () -> rejoined.stableLsn() == through);
        assertEquals(through, log.stableLsn(), where);
        assertTrue(logger.status().contains("generation 1") && !logger.status().contains("catching up"), logger.status());

        // The primary crashes; the logger restarts too (the new generation must be what its log recovers).
        rejoined.close();
        logger.close();
        logger = loopback.start(dir);
        assertTrue(logger.status().contains("generation 1"), logger.status());
        Events recovery = loopback.fetchUntilServed();
        logger.close();
        assertEquals(2, recovery.connected.get().epoch(), "the recovery is granted the next epoch: the re-join did not raise it");
        assertEquals(through, recovery.caughtUp.get(), where);

        List<Record> all = new ArrayList<>(logged);
        all.addAll(unprotected);
        all.addAll(reprotected);
        LiveRecordSet presentAllAlong = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (int i = 0; i < all.size(); i++) presentAllAlong.add(i + 1, all.get(i));
        List<LoggedRecord> expected = presentAllAlong.snapshot(through);
        List<LoggedRecord> fetched = List.copyOf(recovery.records);
        assertEquals(expected, fetched, where + ": exactly what a logger present all along would serve");
        Set<FourTuple> openedUnprotected = connectionsOf(second.subList(0, secondSplit).stream().map(r -> new LoggedRecord(1, r)).toList());
        openedUnprotected.retainAll(connectionsOf(fetched));
        assertFalse(openedUnprotected.isEmpty(), where + ": some connection opened while unprotected is live and restored");
    }
}
