package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.logger.Events;
import io.fttcp.roles.logger.LoggerHost;
import io.fttcp.roles.logger.Traffic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The continue policy when the logger is lost before it logged anything of this primary (the
 * situation of the logger simulation's seed 4206450098745334865: the logger crashed 5 ms into
 * the run and came back 2 ms later holding nothing). The primary serves on unprotected, its log
 * at LSN 0 or past it; when the logger is back, holding nothing, the primary must re-join it and
 * be PROTECTED again, and a recovery must then fetch exactly what a logger present all along
 * would serve:
 * <ul>
 *   <li>nothing appended while unprotected: a re-join with nothing to catch up;</li>
 *   <li>records appended while unprotected: the logger's log is empty, so it keeps its
 *       generation and takes the catch-up of the live connections' records into it.</li>
 * </ul>
 */
class LoggerLostBeforeFirstRecordTest {
    @TempDir
    Path dir;
    private LoopbackLogger loopback;

    @AfterEach
    void closeAll() throws Exception {
        if (loopback != null) loopback.close();
    }

    @Test
    void nothingAppendedWhileUnprotected() throws Exception {
        run(0x5EED_0001L, false);
    }

    @Test
    void recordsAppendedWhileUnprotectedAreCaughtUpIntoTheEmptyLog() throws Exception {
        run(0x5EED_0002L, true);
        run(0x5EED_0003L, true);
    }

    private void run(long seed, boolean appendWhileUnprotected) throws Exception {
        String where = "seed " + seed;
        Path logDir = dir.resolve(Long.toHexString(seed));
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> unprotected = appendWhileUnprotected ? Traffic.serverRecords(random, 4 + random.nextInt(4), 0.5, 0) : List.of();
        List<Record> reprotected = Traffic.serverRecords(random, 3 + random.nextInt(4), 0.5, 100);

        if (loopback != null) loopback.close();
        loopback = new LoopbackLogger();
        LoggerHost logger = loopback.start(logDir);
        ChannelConfig cc = LoopbackLogger.channel("alpha");
        ReplicationLog log = new ReplicationLog(cc.newRecordStream(), cc, FtConfig.Retention.connections);
        PrimaryChannel first = loopback.dial(log);
        assertEquals(Protection.PROTECTED, log.protection(), where);

        logger.close(); // before the primary's first record
        LoopbackLogger.await("unprotected (" + where + ")", () -> log.protection() == Protection.UNPROTECTED);
        assertEquals(0, first.stableLsn(), where);
        long unprotectedThrough = LoopbackLogger.append(log, unprotected);
        assertEquals(Long.MAX_VALUE, log.stableLsn(), where);

        logger = loopback.start(logDir); // back, holding nothing
        PrimaryChannel rejoined = loopback.dial(log);
        assertEquals(Protection.PROTECTED, log.protection(), where + ": protection regained");
        long through = LoopbackLogger.append(log, reprotected);
        assertTrue(through > unprotectedThrough, where);
        LoopbackLogger.await("the re-protected records stable (" + where + ")", () -> rejoined.stableLsn() == through);
        assertEquals(through, log.stableLsn(), where);
        assertTrue(!logger.status().contains("catching up"), where + ": " + logger.status());

        // The primary crashes; the logger restarts on what its log kept; a recovery fetches it all.
        rejoined.close();
        logger.close();
        logger = loopback.start(logDir);
        Events recovery = loopback.fetchUntilServed();
        logger.close();
        assertEquals(through, recovery.caughtUp.get(), where);

        List<Record> all = new ArrayList<>(unprotected);
        all.addAll(reprotected);
        LiveRecordSet presentAllAlong = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (int i = 0; i < all.size(); i++) presentAllAlong.add(i + 1, all.get(i));
        assertEquals(presentAllAlong.snapshot(through), List.copyOf(recovery.records), where + ": exactly what a logger present all along would serve");
    }
}
