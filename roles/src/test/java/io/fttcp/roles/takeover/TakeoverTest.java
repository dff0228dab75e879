package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.wrappers.nsw.ConnectionImage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.roles.takeover.TakeoverWorld.MS;
import static io.fttcp.roles.takeover.TakeoverWorld.PORT;
import static io.fttcp.roles.takeover.TakeoverWorld.SERVICE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Takeover at the host level: a client talks to a primary behind its south-side wrapper; the
 * primary dies at a random moment; the backup feeds the wrapper's records (only those it can
 * have: at least the stable ones) to its north-side wrapper, whose application replays some of
 * the logged writes, builds the connection's checkpoint from the wrapper's image, restores it in its own stack, which takes over the service address, and
 * resumes. Both byte streams must complete exactly, with no reset.
 */
class TakeoverTest {
    private static final int SEEDS = Integer.getInteger("fttcp.takeover.seeds", 300);
    /** Prints which case each seed reached (-Dfttcp.takeover.stats=true), to check the seeds cover them all. */
    private static final boolean STATS = Boolean.getBoolean("fttcp.takeover.stats");
    /**
     * Whether the backup's application may be any number of logged writes behind at takeover
     * (the restored connection then holds less than the client has: its ACKs run ahead of
     * snd.max). On by default since the stack accepts such ACKs on restored connections;
     * -Dfttcp.takeover.appBehindLog=false limits it to one write.
     */
    private static final boolean APP_BEHIND_LOG = !"false".equals(System.getProperty("fttcp.takeover.appBehindLog"));

    @Test
    void connectionsSurviveThePrimarysCrashAtARandomMoment() {
        long only = Long.getLong("fttcp.takeover.seed", -1);
        for (long seed = only >= 0 ? only : 1; seed <= (only >= 0 ? only : SEEDS); seed++) {
            try {
                run(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("takeover failed with seed " + seed + " (replay: -Dfttcp.takeover.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    /** Writes and reads one side of a connection; tracks stream offsets. */
    static final class Side {
        final byte[] out;
        long written;
        boolean shut;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        boolean eof;
        final ByteBuffer buf = ByteBuffer.allocate(65536);
        /** Most bytes written per pump: an application producing its output over time, not at once. */
        final int pace;

        Side(byte[] out) {
            this(out, Integer.MAX_VALUE);
        }

        Side(byte[] out, int pace) {
            this.out = out;
            this.pace = pace;
        }
    }

    static final class ClosedRecorder implements TcpEvents {
        CloseReason reason;

        @Override
        public void onClosed(TcpConnection c, CloseReason r) {
            reason = r;
        }
    }

    static void run(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 7919);
        TakeoverWorld w = new TakeoverWorld(seed, r.nextInt(3) == 0 ? 0.02 : 0.0);
        byte[] down = bytes(r, r.nextInt(600_000)), up = bytes(r, r.nextInt(300_000));
        Listener l = w.primary.listen(SERVICE, PORT, 8, x -> { });
        ClosedRecorder clientEvents = new ClosedRecorder();
        Connection client = w.client.connect(0, SERVICE, PORT, clientEvents, w.now);
        // Half the seeds produce their output over time (at least 1 KiB per step: with Nagle and
        // delayed ACKs, tinier steps take minutes), so the crash can find either side's
        // close not yet logged (ESTABLISHED, CLOSE_WAIT) as well as after it.
        boolean paced = r.nextBoolean();
        Side c = new Side(up, paced ? 1024 + r.nextInt(16384) : Integer.MAX_VALUE);
        Side s = new Side(down, paced ? 1024 + r.nextInt(16384) : Integer.MAX_VALUE);
        Connection[] server = new Connection[1];
        // The crash moment: a random time, or (3/4 of the seeds) a random number of packets
        // delivered, so that it also falls in the middle of the transfer and not only after it
        // (simulated time barely moves while data flows).
        long crashAt = w.now + (long) (r.nextDouble() * 400 * MS);
        long crashAfterPackets = r.nextInt(4) != 0 ? r.nextLong(1 + (down.length + up.length) / 800) : Long.MAX_VALUE;

        // Phase 1: until the crash (the transfer may also finish before it).
        w.run(() -> {
            if (server[0] == null && (server[0] = l.poll()) != null) {
                w.sink.append(ReplayedConnection.acceptRecord(server[0].tuple()), w.now); // as the wrapper logs accept()
            }
            pumpClient(client, c, w.now);
            if (server[0] != null) pumpPrimary(w, server[0], s);
            return w.now >= crashAt || w.delivered >= crashAfterPackets;
        }, 60_000 * MS);
        if (server[0] == null) return; // crashed during the handshake: nothing accepted to take over (a later issue restores SYN_RECEIVED)

        // The backup holds every stable record and maybe some more, and feeds them to its
        // north-side wrapper, whose connection image is all the takeover knows.
        int known = (int) Math.min(w.records.size(), w.stable + r.nextInt(4));
        List<Record> received = w.records.subList(0, known);
        FourTuple tuple = server[0].tuple();
        ReplayedConnection replayed = new ReplayedConnection(tuple);
        for (Record rec : received) replayed.apply(rec);
        // The latest heartbeat's knowledge of the primary's TSvals (1 s old at the takeover).
        replayed.apply(new Heartbeat(w.now, w.ssw.changedMaxTsVals()));
        ConnectionImage before = replayed.image();
        if (before == null || before.connect() == null) fail("the connection's CONNECT is not among the stable records although the client connected");
        if (before.clientReset()) fail("client reset");

        // The backup's application replays every write it received before the takeover
        // (DESIGN.md section 4 step 1): it may still be ahead of the client's ACK, or behind it
        // (the primary's last write can have left before its WRITE record was stable). It may
        // have closed too. (-Dfttcp.takeover.appBehindLog=true: it replays only a random prefix
        // unless the primary's close is logged; the client can then hold more than the backup
        // can send at once, and its ACKs above snd.max stall the connection; see the report.)
        int writes = replayed.writesPending();
        int replay = before.primaryFinOffset() >= 0 || r.nextBoolean() ? writes
                : APP_BEHIND_LOG ? r.nextInt(writes + 1) : Math.max(0, writes - 1);
        replayed.appWrites(replay, down);
        ConnectionImage image = replayed.image();
        long produced = image.appOutputOffset();
        boolean producedShutdown = produced == down.length && r.nextBoolean();
        if (producedShutdown) {
            replayed.appShutsDownOutput();
            image = replayed.image();
        }
        TcpCheckpoint cp = Materializer.checkpoint(image, TcpConfig.defaults(), 1_000 * MS, w.now);

        // What the wrapper rebuilt of the client's upload is exactly what the client sent.
        long logged = image.clientStreamEnd();
        assertTrue(logged <= up.length);
        assertEquals(0, image.appReadOffset(), "no READ records: the application has read nothing yet");
        byte[] loggedBytes = image.unreadClientBytes();
        assertArrayEquals(Arrays.copyOf(up, (int) logged), loggedBytes, "logged client bytes");

        long crashNow = w.now;
        var backup = w.crashPrimary();
        ClosedRecorder backupEvents = new ClosedRecorder();
        Connection restored = backup.restore(cp, backupEvents, w.now);
        restored.resume(4, w.now); // the first may carry a window update; three more are duplicates

        // The backup's application continues: the wrapper hands it the logged bytes, then live
        // ones; it writes from where it is, skipping what the client already has (the wrapper's
        // discard rule).
        Side b = new Side(down);
        b.in.writeBytes(loggedBytes);
        long dataAcked = cp.sndUna() - (image.connect().serverIsn() + 1);
        b.written = Math.max(produced, Math.min(dataAcked, down.length));
        if (STATS) System.out.println("STAT " + cp.state() + " primaryFin=" + (image.primaryFinOffset() >= 0) + " app=" + Long.signum(produced - dataAcked) + " shut=" + producedShutdown + " ooo=" + !image.outOfOrder().isEmpty());
        b.shut = producedShutdown || cp.finQueued(); // a FIN already queued or acknowledged: the app's close is a no-op
        boolean done = w.run(() -> {
            pumpClient(client, c, w.now);
            pumpBackup(restored, b, w.now);
            return c.eof && b.eof && clientEvents.reason != null && backupEvents.reason != null;
        }, 600_000 * MS);
        String where = "crash at " + (crashNow / MS) + " ms, now " + (w.now / MS) + " ms; client got " + c.in.size() + "/" + down.length + " eof=" + c.eof + ", backup got " + b.in.size() + "/" + up.length
                + " eof=" + b.eof + ", checkpoint " + cp.state() + " sendQueue=" + cp.sendQueue().length + " produced=" + produced
                + ", client close " + clientEvents.reason + ", backup close " + backupEvents.reason
                + "; client " + client.tcp() + "; backup " + restored.tcp() + "; logged client bytes " + logged;
        assertTrue(done, "did not finish: " + where);
        assertArrayEquals(down, c.in.toByteArray(), "client's download: " + where);
        assertArrayEquals(up, b.in.toByteArray(), "backup's upload: " + where);
        assertEquals(CloseReason.CLOSED, clientEvents.reason, where);
        assertEquals(CloseReason.CLOSED, backupEvents.reason, where);
    }

    private static void pumpClient(Connection conn, Side side, long now) {
        if (conn.tcp().isEstablished()) writeAndRead(conn, side, now, null);
    }

    /**
     * The primary's application behind the north-side wrapper's logging: output bytes depend on
     * the records before the write, each write that moved bytes is logged after it (the backup's
     * application replays those; one that moved none changes nothing), the FIN needs its CLOSE record.
     */
    private static void pumpPrimary(TakeoverWorld w, Connection conn, Side side) {
        writeAndRead(conn, side, w.now, new Commit() {
            @Override
            public void require(long start, long end) {
                long lsn = w.records.size();
                if (end > side.out.length) lsn = w.sink.append(new Close(conn.tuple(), Close.How.SHUTDOWN_OUTPUT), w.now);
                w.ssw.requireStable(conn.tuple(), start, end, lsn);
            }

            @Override
            public void wrote(long start, int count) {
                if (count > 0) w.sink.append(new Write(conn.tuple(), start, count, 0), w.now);
            }
        });
    }

    private static void pumpBackup(Connection conn, Side side, long now) {
        writeAndRead(conn, side, now, null);
    }

    interface Commit {
        void require(long start, long end);

        void wrote(long start, int count);
    }

    private static void writeAndRead(Connection conn, Side side, long now, Commit commit) {
        long budget = side.pace;
        while (side.written < side.out.length && budget > 0) {
            int len = (int) Math.min(Math.min(32 * 1024, budget), side.out.length - side.written);
            budget -= len;
            if (commit != null) commit.require(side.written, side.written + len);
            int n = conn.write(ByteBuffer.wrap(side.out, (int) side.written, len), now);
            if (commit != null) commit.wrote(side.written, n);
            side.written += n;
            if (n < len) break;
        }
        if (side.written == side.out.length && !side.shut) {
            if (commit != null) commit.require(side.written, side.written + 1);
            conn.shutdownOutput(now);
            side.shut = true;
        }
        while (!side.eof) {
            int n = conn.read(side.buf.clear(), now);
            if (n < 0) side.eof = true;
            if (n <= 0) break;
            side.in.write(side.buf.array(), 0, n);
        }
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
