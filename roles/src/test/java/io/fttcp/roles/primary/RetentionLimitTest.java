package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Past {@code replication.retention-limit} the primary gives its retained records up; protection
 * returns once the connections live then are finished (CHECKPOINTED: and a checkpoint applied
 * after), served from the records kept since, and never under EVERYTHING. Seeded: each seed
 * shapes the upload's segments (sizes, reordering, duplicates) and the other records mixed in.
 */
class RetentionLimitTest {
    private static final ChannelConfig CHANNEL = ChannelConfig.defaults("test");
    private static final long LIMIT = 64 << 10;
    private static final int SERVER = 0xC6120064;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 80, 0, 0);
    private static final int FIN = 0x01, PSH = 0x08, ACK = 0x10;
    private static final int SEEDS = 12;

    /** A client connection as the primary's records show it; its methods make its next records. */
    private static final class Conn {
        final FourTuple tuple;
        final int clientIsn;
        final int serverIsn;
        long sent;
        long read;
        long written;
        boolean fin;
        boolean closed;

        Conn(int port, SplittableRandom random) {
            tuple = new FourTuple(SERVER, 80, 0xC612000A, port);
            clientIsn = random.nextInt();
            serverIsn = random.nextInt();
        }

        Connect connect() {
            return new Connect(tuple, clientIsn, serverIsn, 1460, 1460, 7, 7, true, false, 0, 0, 65535);
        }

        Accept accept() {
            return new Accept(LISTENER, tuple);
        }

        Segment data(int length, SplittableRandom random) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            Segment s = new Segment(tuple, clientIsn + 1 + (int) sent, serverIsn + 1, ACK | PSH, 65535, 0, 0, payload);
            sent += length;
            return s;
        }

        Segment fin() {
            fin = true;
            return new Segment(tuple, clientIsn + 1 + (int) sent, serverIsn + 1, FIN | ACK, 65535, 0, 0, new byte[0]);
        }

        /** The client acknowledges our stream up to offset {@code upTo} (written + 1 covers our FIN). */
        Segment ack(long upTo) {
            return new Segment(tuple, clientIsn + 1 + (int) sent + (fin ? 1 : 0), serverIsn + 1 + (int) upTo, ACK, 65535, 0, 0, new byte[0]);
        }

        Read read(int count) {
            read += count;
            return new Read(tuple, count);
        }

        Write write(int count) {
            Write w = new Write(tuple, written, count, 0);
            written += count;
            return w;
        }

        Close close() {
            closed = true;
            return new Close(tuple, Close.How.CLOSE);
        }

        Checkpoint.Entry entry() {
            return new Checkpoint.Entry(tuple, read, written, closed, closed, 0, new byte[(int) written]);
        }
    }

    /** A log past its limit's reach, and every record appended to it. */
    private static final class Driver {
        final long seed;
        final SplittableRandom random;
        final RetentionPolicy policy;
        final ReplicationLog log;
        final List<LoggedRecord> all = new ArrayList<>();
        /** LSNs after which the retained set was given up (lost was null before, or it was passed again). */
        long lastLossLsn;
        int losses;

        Driver(long seed, FtConfig.Retention retention) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.policy = retention.policy();
            this.log = new ReplicationLog(CHANNEL.newRecordStream(), CHANNEL, retention, LIMIT);
            log.unprotected(null); // numbered, not sent: no stream to fill
        }

        long append(Record r) {
            String before = log.retentionLost();
            long lsn = log.append(r);
            all.add(new LoggedRecord(lsn, r));
            String after = log.retentionLost();
            if (after != null && !after.equals(before)) { // given up at this record (the message names its LSN)
                assertTrue(after.contains("at LSN " + lsn + " "), "seed " + seed + ": " + after);
                lastLossLsn = lsn;
                losses++;
            }
            return lsn;
        }

        /** Other records: global ones, heartbeats, polls, per-connection clocks and seeds. */
        void noise(Conn... live) {
            int n = random.nextInt(3);
            for (int i = 0; i < n; i++) {
                Conn c = live[random.nextInt(live.length)];
                switch (random.nextInt(6)) {
                    case 0 -> append(new Clock(Clock.NO_CONTEXT, Clock.Source.MONOTONIC_NANOS, random.nextLong()));
                    case 1 -> append(new Seed(LISTENER, random.nextLong()));
                    case 2 -> append(new Heartbeat(random.nextLong(), List.of(new Heartbeat.TsVal(c.tuple, random.nextInt()))));
                    case 3 -> append(new Ready(1, List.of(new Ready.Entry(LISTENER, 1), new Ready.Entry(c.tuple, 1))));
                    case 4 -> append(new Clock(c.tuple, Clock.Source.WALL_MILLIS, random.nextLong()));
                    default -> append(new Seed(c.tuple, random.nextLong()));
                }
            }
        }

        /** {@code bytes} more client bytes on {@code c}, in segments of random sizes, some swapped or sent twice. */
        void upload(Conn c, long bytes, Conn... others) {
            long target = c.sent + bytes;
            Segment held = null;
            while (c.sent < target) {
                Segment s = c.data((int) Math.min(target - c.sent, 200 + random.nextInt(1261)), random);
                if (held == null && random.nextInt(8) == 0) {
                    held = s; // arrives after the next one
                    continue;
                }
                append(s);
                if (held != null) {
                    append(held);
                    held = null;
                }
                if (random.nextInt(10) == 0) append(s); // a retransmission
                if (random.nextInt(4) == 0) append(c.read((int) ((c.sent - c.read) / 2)));
                if (others.length > 0) noise(others);
            }
            if (held != null) append(held);
        }

        /** The client ends its stream, the application answers and closes: short of the client's acknowledgement of our FIN. */
        void closeAllButLastAck(Conn c) {
            if (!c.fin) append(c.fin());
            if (!c.closed) {
                append(c.read((int) (c.sent - c.read)));
                append(c.write(1 + random.nextInt(500)));
                append(c.close());
            }
            append(c.ack(c.written)); // our bytes, not our FIN: not finished yet
        }

        /** What a set fed only the records from {@code from} on would serve now. */
        List<LoggedRecord> reference(long from) {
            LiveRecordSet s = new LiveRecordSet(policy);
            for (LoggedRecord r : all) {
                if (r.lsn() >= from) s.add(r.lsn(), r.record());
            }
            return s.snapshot(Long.MAX_VALUE);
        }

        LiveRecordSet referenceSet(long from) {
            LiveRecordSet s = new LiveRecordSet(policy);
            for (LoggedRecord r : all) {
                if (r.lsn() >= from) s.add(r.lsn(), r.record());
            }
            return s;
        }

        void assertLost(String when) {
            assertNotNull(log.retentionLost(), "seed " + seed + ": still lost " + when);
            assertThrows(IllegalStateException.class, () -> log.retainedThrough(Long.MAX_VALUE), "seed " + seed + ": no catch-up " + when);
        }

        void assertLiveGivenUp(int live, String when) {
            assertTrue(log.retentionStatus().contains("givenUpConnectionsLive=" + live + " "), "seed " + seed + " " + when + ": " + log.retentionStatus());
        }

        /** Served again, exactly what a set fed only the records since the last loss serves, none naming {@code gone}. */
        void assertServedFromFresh(Conn expectedLive, Conn... gone) {
            assertNull(log.retentionLost(), "seed " + seed + ": complete again");
            List<LoggedRecord> served = log.retainedThrough(Long.MAX_VALUE);
            assertEquals(reference(lastLossLsn + 1), served, "seed " + seed + ": the catch-up is the fresh set's, from LSN " + (lastLossLsn + 1));
            assertTrue(served.stream().anyMatch(r -> r.record().equals(expectedLive.connect())), "seed " + seed + ": the live connection's CONNECT is served");
            for (LoggedRecord r : served) {
                for (Conn g : gone) {
                    assertTrue(!names(r.record(), g.tuple), "seed " + seed + ": LSN " + r.lsn() + " names a finished connection " + g.tuple + ": " + r.record());
                }
            }
            assertTrue(log.retentionStatus().startsWith("retainedConnections="), "seed " + seed + ": " + log.retentionStatus());
        }
    }

    /** Whether a record is about a connection (a checkpoint's entries aside: they are the application's state). */
    private static boolean names(Record record, FourTuple t) {
        return switch (record) {
            case Connect c -> c.tuple().equals(t);
            case Segment s -> s.tuple().equals(t);
            case Accept a -> a.connection().equals(t);
            case Read r -> r.connection().equals(t);
            case Write w -> w.connection().equals(t);
            case Close c -> c.socket().equals(t);
            case Clock c -> c.context().equals(t);
            case Seed s -> s.context().equals(t);
            case Heartbeat h -> h.maxTsVals().stream().anyMatch(e -> e.connection().equals(t));
            case Ready r -> r.ready().stream().anyMatch(e -> e.socket().equals(t));
            case Checkpoint c -> false;
        };
    }

    /**
     * A's upload passes the limit while B (short-lived) is live too; C opens after. Returns the
     * driver once B finished and A is one acknowledgement short of finishing. Under
     * CHECKPOINTED a checkpoint was applied before the loss (A had written, B was closed: the
     * given-up set's records below it do not show that), and one refused after it (A live).
     */
    private static Driver throughTheLoss(long seed, FtConfig.Retention retention, Conn[] conns) {
        Driver d = new Driver(seed, retention);
        SplittableRandom r = d.random;
        Conn a = conns[0] = new Conn(40000, r);
        Conn b = conns[1] = new Conn(40001, r);
        Conn c = conns[2] = new Conn(40002, r);
        d.append(a.connect());
        d.append(a.accept());
        d.append(b.connect());
        d.append(b.accept());
        d.noise(a, b);
        d.append(b.data(200, r));
        d.append(b.read(200));
        d.append(b.write(300));
        d.append(b.close()); // closed by the application; the client has not ended yet
        d.upload(a, 2000, b);
        d.append(a.write(100));
        if (retention == FtConfig.Retention.checkpointed) {
            d.append(new Checkpoint(Clock.NO_CONTEXT, new byte[8], List.of(a.entry(), b.entry())));
            assertEquals(1, d.referenceSet(1).checkpointsApplied(), "seed " + seed + ": the test's checkpoint matches");
        }
        assertNull(d.log.retentionLost(), "seed " + seed + ": under the limit");
        d.upload(a, LIMIT + 1, b);
        assertEquals(1, d.losses, "seed " + seed + ": given up once, by A's upload");
        d.assertLost("after the loss");
        if (retention != FtConfig.Retention.everything) d.assertLiveGivenUp(2, "A and B live at the loss");

        d.append(c.connect());
        d.append(c.accept());
        d.upload(c, 3000, a, b, c);
        d.append(c.write(700));
        d.upload(a, 4000, a, b, c);
        if (retention == FtConfig.Retention.checkpointed) {
            d.append(new Checkpoint(Clock.NO_CONTEXT, new byte[8], List.of(a.entry(), b.entry(), c.entry())));
            d.assertLost("after a checkpoint naming A, live");
        }
        d.append(b.fin());
        d.append(b.ack(b.written)); // our bytes, not our FIN
        if (retention != FtConfig.Retention.everything) d.assertLiveGivenUp(2, "B one acknowledgement short");
        d.append(b.ack(b.written + 1));
        d.assertLost("B finished, A live");
        if (retention != FtConfig.Retention.everything) d.assertLiveGivenUp(1, "A live");
        d.noise(a, c);
        d.closeAllButLastAck(a);
        d.assertLost("A not finished: the client has not acknowledged our FIN");
        if (retention != FtConfig.Retention.everything) d.assertLiveGivenUp(1, "A live");
        d.upload(c, 1000, c);
        d.append(a.ack(a.written + 1));
        return d;
    }

    @Test
    void connectionScopedIsServedAgainOnceTheConnectionsLiveAtTheLossAreFinished() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Conn[] conns = new Conn[3];
            Driver d = throughTheLoss(seed, FtConfig.Retention.connections, conns);
            d.assertServedFromFresh(conns[2], conns[0], conns[1]);
            d.upload(conns[2], 2000, conns[2]);
            d.assertServedFromFresh(conns[2], conns[0], conns[1]);
        }
    }

    @Test
    void everythingStaysLostForGood() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Conn[] conns = new Conn[3];
            Driver d = throughTheLoss(seed, FtConfig.Retention.everything, conns);
            d.assertLost("under EVERYTHING, after A finished");
            assertTrue(d.log.retentionLost().contains("everything") && d.log.retentionLost().contains("restarts"),
                    "seed " + seed + ": " + d.log.retentionLost());
            d.upload(conns[2], 2000, conns[2]);
            d.assertLost("under EVERYTHING, later");
        }
    }

    @Test
    void checkpointedIsServedAgainOnlyFromACheckpointAppliedAfterTheConnectionsLiveAtTheLossAreFinished() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Conn[] conns = new Conn[3];
            Driver d = throughTheLoss(seed, FtConfig.Retention.checkpointed, conns);
            Conn a = conns[0], b = conns[1], c = conns[2];
            d.assertLost("A finished, no checkpoint since");
            assertTrue(d.log.retentionStatus().contains("givenUpConnectionsLive=0 "), "seed " + seed + ": " + d.log.retentionStatus());
            d.upload(c, 1500, c);
            d.assertLost("still no checkpoint");
            // A and B are finished: the application lists them closed (ignored), C as it stands.
            d.append(new Checkpoint(c.tuple, new byte[8], List.of(a.entry(), b.entry(), c.entry())));
            assertEquals(1, d.referenceSet(d.lastLossLsn + 1).checkpointsApplied(), "seed " + seed + ": the checkpoint matches the fresh records");
            d.assertServedFromFresh(c, a, b);
            d.upload(c, 500, c);
            d.assertServedFromFresh(c, a, b);
        }
    }

    /**
     * The fresh set passes the limit too while A is still live: C (live then) joins the given-up
     * connections, D opens after; served again once both A and C are finished, from the second
     * loss on.
     */
    @Test
    void passedAgainWhileLostTheConnectionsOfBothLossesAreWaitedFor() {
        for (FtConfig.Retention retention : List.of(FtConfig.Retention.connections, FtConfig.Retention.checkpointed)) {
            for (long seed = 1; seed <= SEEDS; seed++) {
                Driver d = new Driver(seed, retention);
                SplittableRandom r = d.random;
                Conn a = new Conn(40000, r), c = new Conn(40002, r), e = new Conn(40004, r), dd = new Conn(40003, r);
                d.append(a.connect());
                d.append(a.accept());
                d.append(e.connect()); // finishes between the losses
                d.append(e.accept());
                d.upload(a, LIMIT + 1, a, e);
                assertEquals(1, d.losses, "seed " + seed + " " + retention);
                long firstLoss = d.lastLossLsn;
                d.append(c.connect());
                d.append(c.accept());
                d.closeAllButLastAck(e);
                d.append(e.ack(e.written + 1));
                d.assertLiveGivenUp(1, "A live, E finished");
                d.upload(c, LIMIT + 1, a, c);
                assertEquals(2, d.losses, "seed " + seed + " " + retention + ": C's upload passes the limit in the fresh set");
                assertTrue(d.lastLossLsn > firstLoss, "seed " + seed);
                d.assertLiveGivenUp(2, "A and C live");
                d.append(dd.connect());
                d.append(dd.accept());
                d.upload(dd, 1000, a, c, dd);
                d.closeAllButLastAck(a);
                d.append(a.ack(a.written + 1));
                d.assertLost("A finished, C live");
                d.assertLiveGivenUp(1, "C live");
                d.closeAllButLastAck(c);
                d.assertLost("C one acknowledgement short");
                d.append(c.ack(c.written + 1));
                if (retention == FtConfig.Retention.checkpointed) {
                    d.assertLost("no checkpoint after C finished");
                    d.append(new Checkpoint(Clock.NO_CONTEXT, new byte[8], List.of(a.entry(), c.entry(), dd.entry())));
                }
                d.assertServedFromFresh(dd, a, c, e);
            }
        }
    }

    /** A CONNECT reusing a given-up connection's four-tuple supersedes it: the new incarnation is the fresh set's. */
    @Test
    void aGivenUpConnectionSupersededByANewIncarnationIsNoLongerWaitedFor() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Driver d = new Driver(seed, FtConfig.Retention.connections);
            Conn a = new Conn(40000, d.random);
            d.append(a.connect());
            d.append(a.accept());
            d.upload(a, LIMIT + 1, a);
            d.assertLost("A live");
            d.assertLiveGivenUp(1, "A live");
            Conn again = new Conn(40000, d.random); // the same four-tuple, new ISNs
            d.append(again.connect());
            d.append(again.accept());
            d.upload(again, 1000, again);
            d.assertServedFromFresh(again);
            assertTrue(d.log.retainedThrough(Long.MAX_VALUE).stream().noneMatch(r -> r.record().equals(a.connect())), "seed " + seed);
        }
    }

    /** A limit passed when no connection is live any more (the last one finished with it): served again from the next record on. */
    @Test
    void passedByAFinishedConnectionAloneIsServedAgainAtOnce() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Driver d = new Driver(seed, FtConfig.Retention.connections);
            Conn a = new Conn(40000, d.random);
            d.append(a.connect());
            d.append(a.accept());
            d.upload(a, LIMIT / 4, a);
            d.append(a.read((int) (a.sent - a.read)));
            d.append(a.write(10));
            d.append(a.close());
            d.append(a.ack(a.written + 1));
            assertNull(d.log.retentionLost(), "seed " + seed);
            // The client's last bytes with its FIN finish A, lingering, and pass the limit.
            byte[] last = new byte[(int) LIMIT];
            Segment finWithData = new Segment(a.tuple, a.clientIsn + 1 + (int) a.sent, a.serverIsn + 1 + (int) a.written + 1, FIN | ACK | PSH,
                    65535, 0, 0, last);
            long lsn = d.log.append(finWithData);
            d.all.add(new LoggedRecord(lsn, finWithData));
            assertNull(d.log.retentionLost(), "seed " + seed + ": no connection was live when the limit was passed");
            d.lastLossLsn = lsn;
            Conn b = new Conn(40001, d.random);
            d.append(b.connect());
            d.assertServedFromFresh(b, a);
            if (d.log.retainedThrough(Long.MAX_VALUE).size() != 1) fail("seed " + seed + ": only B's CONNECT: " + d.log.retainedThrough(Long.MAX_VALUE));
        }
    }
}
