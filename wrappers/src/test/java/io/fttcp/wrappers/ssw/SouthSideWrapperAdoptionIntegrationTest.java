package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static io.fttcp.wrappers.ssw.TestPackets.CLIENT;
import static io.fttcp.wrappers.ssw.TestPackets.PORT;
import static io.fttcp.wrappers.ssw.TestPackets.SERVICE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real client stack and a connection that moves, by checkpoint and restore, from a dead
 * server stack to a new one whose south-side wrapper adopts it: what the old server had queued
 * reaches the client at once; the client's new bytes are logged and acknowledged only once
 * stable; the new server's output waits for its requirement; the client, never reset, gets
 * every byte in order.
 */
class SouthSideWrapperAdoptionIntegrationTest {
    static final long MS = 1_000_000L;

    final long seed = new SplittableRandom().nextLong();
    final SplittableRandom random = new SplittableRandom(seed);
    final String msg = "seed " + seed;
    long now = 1_000 * MS;
    final DelayedLink toClient = new DelayedLink(), toServer = new DelayedLink();
    final IpHost client = new IpHost(HostConfig.defaults(1, 2), (p, t) -> toServer.send(p, now, MS));
    IpHost server1 = new IpHost(HostConfig.defaults(3, 4), (p, t) -> {
        if (!this.serverToClientCut) toClient.send(p, this.now, MS);
    });
    boolean serverToClientCut;
    final FakeLog log = new FakeLog();
    SouthSideWrapper ssw;
    IpHost server2;
    /** After takeover: the client sequence number below which everything is stable. */
    int stableRcv;
    long packetsChecked;

    SouthSideWrapperAdoptionIntegrationTest() {
        client.addAddress(CLIENT);
        server1.addAddress(SERVICE);
    }

    byte[] bytes(int n) {
        byte[] a = new byte[n];
        random.nextBytes(a);
        return a;
    }

    @Test
    void aRestoredConnectionIsProtectedFromAdoptionOn() {
        Listener listener = server1.listen(SERVICE, PORT, 4, l -> { });
        Connection c = client.connect(CLIENT, SERVICE, PORT, TcpEvents.NONE, now);
        Connection[] s1 = new Connection[1];
        assertTrue(run(() -> (s1[0] = s1[0] != null ? s1[0] : listener.poll()) != null, 5_000 * MS), msg);
        ByteArrayOutputStream atClient = new ByteArrayOutputStream(), atServer = new ByteArrayOutputStream();

        // Before the crash: 1000 bytes up, 3000 down, all delivered and acknowledged.
        byte[] up1 = bytes(1000), down1 = bytes(3000);
        c.write(ByteBuffer.wrap(up1), now);
        s1[0].write(ByteBuffer.wrap(down1), now);
        assertTrue(run(() -> drain(c, atClient) + drain(s1[0], atServer) >= 0 && atClient.size() == 3000 && atServer.size() == 1000,
                5_000 * MS), msg);
        assertTrue(run(() -> s1[0].tcp().checkpoint(now).sendQueue().length == 0, 5_000 * MS), "our bytes acknowledged, " + msg);

        // The server queues 2000 more bytes that never reach the client, and dies.
        serverToClientCut = true;
        byte[] down2 = bytes(2000);
        s1[0].write(ByteBuffer.wrap(down2), now);
        run(() -> false, 20 * MS);
        TcpCheckpoint cp = s1[0].checkpoint(now);
        assertEquals(2000, cp.sendQueue().length);
        server1 = null;

        // The new primary: restore, adopt, resume.
        ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log, (p, t) -> toClientChecked(p), false);
        server2 = new IpHost(HostConfig.defaults(5, 6), ssw.stackSide());
        server2.addAddress(SERVICE);
        ssw.attachStack(server2);
        Connection s2 = server2.restore(cp, TcpEvents.NONE, now);
        ssw.adopt(AdoptedConnection.restored(cp, 3000, now));
        stableRcv = cp.rcvNxt();
        FourTuple tuple = cp.tuple();
        s2.resume(1, now);
        assertTrue(run(() -> drain(c, atClient) >= 0 && atClient.size() == 5000, 5_000 * MS),
                "the queued bytes leave without any stability: " + atClient.size() + ", " + msg);
        assertEquals(0, log.records.size(), "no CONNECT, " + msg);

        // The client's new bytes: logged, acknowledged only once stable.
        byte[] up2 = bytes(500);
        c.write(ByteBuffer.wrap(up2), now);
        assertTrue(run(() -> drain(s2, atServer) >= 0 && atServer.size() == 1500, 5_000 * MS), msg);
        run(() -> false, 50 * MS);
        assertTrue(log.records.stream().anyMatch(r -> r instanceof Segment seg && seg.payload().length > 0), msg);
        assertEquals(cp.rcvNxt(), c.tcp().checkpoint(now).sndUna(), "the client has no ACK of its unstable bytes, " + msg);
        stableRcv = cp.rcvNxt() + 500; // what the records logged so far cover
        stabilize();
        assertTrue(run(() -> c.tcp().checkpoint(now).sndUna() == cp.rcvNxt() + 500, 5_000 * MS), "acknowledged once stable, " + msg);

        // The new server's output waits for what it depends on.
        byte[] down3 = bytes(700);
        long lsn = log.append(new Write(tuple, 5000, 700, 0), now);
        ssw.requireStable(tuple, 5000, 5700, lsn);
        s2.write(ByteBuffer.wrap(down3), now);
        run(() -> drain(c, atClient) < 0, 100 * MS);
        assertEquals(5000, atClient.size(), "held until LSN " + lsn + " is stable, " + msg);
        stabilize();
        assertTrue(run(() -> drain(c, atClient) >= 0 && atClient.size() == 5700, 5_000 * MS), msg);

        // Close: our FIN waits for its CLOSE record too.
        long close = log.append(new Close(tuple, Close.How.CLOSE), now);
        ssw.requireFinStable(tuple, 5700, close);
        s2.close(now);
        boolean[] eof = new boolean[1];
        run(() -> eof[0] |= drain(c, atClient) < 0, 100 * MS);
        assertTrue(!eof[0], "FIN held, " + msg);
        stabilize();
        assertTrue(run(() -> eof[0] |= drain(c, atClient) < 0, 5_000 * MS), "FIN once stable, " + msg);

        byte[] expectedDown = new byte[5700];
        System.arraycopy(down1, 0, expectedDown, 0, 3000);
        System.arraycopy(down2, 0, expectedDown, 3000, 2000);
        System.arraycopy(down3, 0, expectedDown, 5000, 700);
        assertArrayEquals(expectedDown, atClient.toByteArray(), msg);
        byte[] expectedUp = Arrays.copyOf(up1, 1500);
        System.arraycopy(up2, 0, expectedUp, 1000, 500);
        assertArrayEquals(expectedUp, atServer.toByteArray(), msg);
        assertTrue(packetsChecked > 0);
        assertEquals(1, ssw.stats().connectionsAdopted);
    }

    void stabilize() {
        log.stable = log.lastLsn();
        ssw.onStable(log.stable, now);
    }

    /** Everything the new primary's wrapper sends to the client: never an ACK above stable input. */
    void toClientChecked(ByteBuffer p) {
        TestPackets.Parsed q = TestPackets.parse(p);
        assertTrue(q.checksumValid(), msg);
        if (q.seg().has(TcpSegment.ACK)) {
            assertTrue(q.ack() - stableRcv <= 0, "ACK " + Integer.toUnsignedString(q.ack()) + " above stable "
                    + Integer.toUnsignedString(stableRcv) + ", " + msg);
        }
        packetsChecked++;
        toClient.send(p, now, MS);
    }

    /** Reads what is there into {@code into}; returns -1 at end of stream, else the bytes read. */
    int drain(Connection conn, ByteArrayOutputStream into) {
        ByteBuffer b = ByteBuffer.allocate(65536);
        int total = 0;
        while (true) {
            b.clear();
            int n = conn.read(b, now);
            if (n < 0) return -1;
            if (n == 0) return total;
            into.write(b.array(), 0, n);
            total += n;
        }
    }

    boolean run(BooleanSupplier done, long maxNanos) {
        long end = now + maxNanos;
        while (!done.getAsBoolean()) {
            ByteBuffer p = toServer.poll(now);
            if (p != null) {
                if (server2 != null) ssw.linkSide().accept(p, now);
                else if (server1 != null) server1.accept(p, now);
            }
            ByteBuffer q = toClient.poll(now);
            if (q != null) client.accept(q, now);
            if (p != null || q != null) continue;
            IpHost server = server2 != null ? server2 : server1;
            long next = Math.min(client.nextDeadline(), server == null ? Long.MAX_VALUE : server.nextDeadline());
            next = Math.min(next, Math.min(toServer.nextArrival(), toClient.nextArrival()));
            if (next == Long.MAX_VALUE || next > end) {
                now = Math.max(now, end);
                return done.getAsBoolean();
            }
            now = Math.max(now, next);
            if (client.nextDeadline() <= now) client.onTimer(now);
            if (server != null && server.nextDeadline() <= now) server.onTimer(now);
        }
        return true;
    }
}
