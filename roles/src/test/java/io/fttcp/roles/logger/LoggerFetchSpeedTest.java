package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.channel.ReplicationChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.roles.logger.LoggerTesting.ANSWER_WITHIN;
import static io.fttcp.roles.logger.LoggerTesting.LEASE;
import static io.fttcp.roles.logger.LoggerTesting.LOG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * How fast the logger serves a recovery's fetch: one live connection that uploaded 256 MiB
 * (MSS-sized client segments, a READ every 16), fetched whole: the fetch's answer at once, its
 * records read back from the log as a channel sends them (here, as fast as they are taken).
 * Prints the rate; it must reach {@code fttcp.fetch.minMibPerS} (default 200 MiB/s, the
 * recovery benchmark's replay target). Also, the logger's heap must not hold the upload.
 * {@code -Dfttcp.fetch.mib=N} changes the size.
 */
class LoggerFetchSpeedTest {
    private static final int MIB = Integer.getInteger("fttcp.fetch.mib", 256);
    private static final double MIN_MIB_PER_S = Double.parseDouble(System.getProperty("fttcp.fetch.minMibPerS", "200"));
    private static final int MSS = 1448;

    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();

    private LoggerChannel channel(ServerSocketChannel server) throws IOException {
        return LoggerTesting.silentChannel(server, toClose);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Reads every record of a fetch as its channel would, keeping none: {payload bytes, records}. */
    private static long[] drain(LoggerSessions.Fetch fetch) {
        long bytes = 0, records = 0;
        try (io.fttcp.replication.stream.CatchUpSource source = fetch.source()) {
            for (LoggedRecord r; (r = source.next()) != null; records++) if (r.record() instanceof Segment s) bytes += s.payload().length;
        }
        return new long[] {bytes, records};
    }

    @Test
    void aLargeLiveUploadIsFetchedAtTheReplayRate() throws Exception {
        long seed = System.nanoTime();
        long heapBefore = usedHeapAfterGc();
        SplittableRandom random = new SplittableRandom(seed);
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        toClose.add(server);
        ClusterLog log = LoggerTesting.openClusterLog(dir);
        toClose.add(log);
        LoggerChannel primary = channel(server);
        ChannelListener in = log.join(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", 1, 1), () -> primary).listener();

        Traffic.Conversation upload = new Traffic.Conversation(Traffic.client(1), random);
        List<Record> batch = new ArrayList<>(upload.open());
        FourTuple tuple = upload.tuple;
        long lsn = 1;
        int seq = random.nextInt();
        long payloadBytes = 0;
        long target = (long) MIB << 20;
        int segments = 0;
        while (payloadBytes < target) {
            byte[] payload = new byte[MSS];
            random.nextBytes(payload);
            batch.add(new Segment(tuple, seq, 1, Traffic.ACK | Traffic.PSH, 502, 5001 + segments, 1001, payload));
            seq += MSS;
            payloadBytes += MSS;
            if (++segments % 16 == 0) batch.add(new Read(tuple, 16 * MSS));
            if (batch.size() >= 1024) {
                in.onRecords(lsn, batch);
                lsn += batch.size();
                batch = new ArrayList<>();
            }
        }
        in.onRecords(lsn, batch);
        long through = lsn + batch.size() - 1;
        primary.close();
        batch = null;
        long held = usedHeapAfterGc() - heapBefore;
        System.out.printf("LoggerFetchSpeedTest: the logger's heap holds %d MiB after a %d MiB live upload%n", held >> 20, payloadBytes >> 20);
        // Only what retention decides by (LSNs, sizes, connection states): the bytes are read back from the log.
        assertTrue(held < payloadBytes / 4, "the logger holds " + (held >> 20) + " MiB of heap for a " + (payloadBytes >> 20) + " MiB live upload");
        Thread.sleep(LEASE.toMillis() + 50); // the lease of the primary that never echoed: from the log's start

        long started = System.nanoTime();
        LoggerSessions.Fetch fetched = log.fetch(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "alpha", 1, 0), System.nanoTime() + ANSWER_WITHIN);
        long answered = System.nanoTime() - started;
        assertEquals(through, fetched.throughLsn());
        long[] counted = drain(fetched);
        long nanos = System.nanoTime() - started;
        double mibPerS = payloadBytes / (1024.0 * 1024.0) / (nanos / 1e9);
        System.out.printf("LoggerFetchSpeedTest: fetch answered in %.1f ms; its %d MiB (%d records) read from the log in %.1f ms in all: %.0f MiB/s (seed %d)%n",
                answered / 1e6, payloadBytes >> 20, counted[1], nanos / 1e6, mibPerS, seed);
        assertEquals(payloadBytes, counted[0], "every byte of the live upload, seed " + seed);
        // The handshake's answer does not wait for the payloads (the requester's handshake timeout is 2 s).
        assertTrue(answered < nanos / 4, "the fetch's answer took " + answered / 1_000_000 + " ms of " + nanos / 1_000_000);
        assertTrue(mibPerS >= MIN_MIB_PER_S, String.format("fetch at %.0f MiB/s, below %.0f (seed %d)", mibPerS, MIN_MIB_PER_S, seed));
        fetched = null;

        // A restarted logger rebuilds its index from the log, and serves the same fetch (the code now warm).
        log.close();
        long opening = System.nanoTime();
        ClusterLog reopened = LoggerTesting.openClusterLog(dir);
        toClose.add(reopened);
        long opened = System.nanoTime() - opening;
        Thread.sleep(LEASE.toMillis() + 50);
        started = System.nanoTime();
        LoggerSessions.Fetch again = reopened.fetch(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "alpha", 2, 0), System.nanoTime() + ANSWER_WITHIN);
        assertEquals(payloadBytes, drain(again)[0], "seed " + seed);
        nanos = System.nanoTime() - started;
        double warm = payloadBytes / (1024.0 * 1024.0) / (nanos / 1e9);
        System.out.printf("LoggerFetchSpeedTest: restarted in %.1f ms; fetched again in %.1f ms: %.0f MiB/s%n", opened / 1e6, nanos / 1e6, warm);
        assertEquals(through, again.throughLsn());
        assertTrue(warm >= MIN_MIB_PER_S, String.format("fetch at %.0f MiB/s, below %.0f (seed %d)", warm, MIN_MIB_PER_S, seed));
    }
}
