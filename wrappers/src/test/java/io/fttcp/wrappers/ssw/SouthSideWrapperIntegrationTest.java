package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static io.fttcp.wrappers.ssw.TestPackets.CLIENT;
import static io.fttcp.wrappers.ssw.TestPackets.PORT;
import static io.fttcp.wrappers.ssw.TestPackets.SERVICE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real client stack talking to a real server stack through the south-side wrapper, with a
 * backup whose acknowledgements lag by random times, random loss on both links, and a fake
 * north-side wrapper on the server that logs its reads and writes and requires output commit.
 * The wire between the wrapper and the client is checked on every packet: no ACK above the
 * client data stable at that moment, no SYN-ACK before its CONNECT is stable, no output byte
 * (or FIN) before the records its write needs are stable, and every checksum valid.
 */
class SouthSideWrapperIntegrationTest {
    static final long MS = 1_000_000L;

    @Test
    void transfersBothWaysByteExactWhileTheWireNeverRunsAheadOfStability() {
        // -Dfttcp.ssw.seed=<seed> replays one run (printed on failure); -Dfttcp.ssw.runs=<n> runs more.
        String replay = System.getProperty("fttcp.ssw.seed");
        long base = replay != null ? Long.parseLong(replay) : new SplittableRandom().nextLong();
        int runs = replay != null ? 1 : Integer.getInteger("fttcp.ssw.runs", 40);
        SswStats total = new SswStats();
        for (int i = 0; i < runs; i++) {
            long seed = base + i;
            Run run = new Run(seed);
            run.transferAndClose();
            total.clamped += run.ssw.stats().clamped;
            total.held += run.ssw.stats().held;
            total.wrapperAcks += run.ssw.stats().wrapperAcks;
            total.suppressedRepeatAcks += run.ssw.stats().suppressedRepeatAcks;
        }
        String msg = "base seed " + base;
        if (runs < 10) return; // one replayed run need not show every mechanism
        assertTrue(total.clamped > 0, "ACKs were clamped: " + msg);
        assertTrue(total.held > 0, "output was held: " + msg);
        assertTrue(total.wrapperAcks > 0, "the wrapper sent ACKs: " + msg);
        assertTrue(total.suppressedRepeatAcks > 0, "repeat ACKs were suppressed: " + msg);
    }

    /** One seeded run: two hosts, the wrapper, the lagging log, the checks. */
    static final class Run {
        final long seed;
        final String msg;
        final SplittableRandom random;
        final LaggingLog log;
        final SouthSideWrapper ssw;
        final IpHost client, server;
        final ArrayDeque<ByteBuffer> toClient = new ArrayDeque<>(), toWrapper = new ArrayDeque<>();
        final double loss, reordering, duplication;
        /** The server's offloads: -1 none, 0 checksum only, else checksum and segmentation up to this size. */
        final int offload;
        final List<long[]> requirements = new ArrayList<>(); // {streamOffsetEnd, lsn}, from the fake NSW
        long now = 1_000 * MS;
        long packetsChecked;
        int lastTsVal;
        boolean sawTsVal;

        Run(long seed) {
            this.seed = seed;
            this.msg = "seed " + seed;  // offload and loss are drawn from it
            this.random = new SplittableRandom(seed);
            this.log = new LaggingLog(random, (random.nextBoolean() ? random.nextLong(1, 8) : random.nextLong(20, 100)) * MS);
            this.loss = random.nextInt(3) * 0.01;
            this.reordering = random.nextInt(3) * 0.03;
            this.duplication = random.nextInt(2) * 0.01;
            HostConfig clientConfig = HostConfig.defaults(1, 2)
                    .withTcp(HostConfig.defaults(1, 2).tcp().withOptions(random.nextBoolean(), random.nextBoolean(), true));
            client = new IpHost(clientConfig, (p, t) -> toWrapper.add(TestPackets.copy(p)));
            client.addAddress(CLIENT);
            // The server's link: plain, or a device completing checksums and cutting super-segments.
            offload = switch (random.nextInt(3)) {
                case 0 -> -1;
                case 1 -> 0;
                default -> random.nextInt(2, 40) * 1000;
            };
            IpPacketSink wire = (p, t) -> onWire(p);
            IpPacketSink serverLink = offload < 0 ? wire : new SoftwareOffloadLink(wire);
            HostConfig serverConfig = offload < 0 ? HostConfig.defaults(3, 4) : HostConfig.defaults(3, 4).withOffload(offload, true);
            ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log, serverLink, false);
            server = new IpHost(serverConfig, ssw.stackSide());
            server.addAddress(SERVICE);
            ssw.attachStack(server);
        }

        void transferAndClose() {
            byte[] up = bytes(random.nextInt(1, 300_000)), down = bytes(random.nextInt(1, 600_000));
            Listener listener = server.listen(SERVICE, PORT, 16, l -> { });
            Ends clientEnd = new Ends();
            Connection c = client.connect(CLIENT, SERVICE, PORT, clientEnd, now);
            assertTrue(run(listener::hasPending, 60_000 * MS), "handshake: " + msg);
            Connection s = listener.poll();
            Ends serverEnd = new Ends();
            s.setEvents(serverEnd);
            FourTuple tuple = s.tuple();

            ByteBuffer upSrc = ByteBuffer.wrap(up), downSrc = ByteBuffer.wrap(down);
            ByteArrayOutputStream gotUp = new ByteArrayOutputStream(), gotDown = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            boolean[] clientShut = {false}, serverClosed = {false}, clientClosed = {false};
            boolean[] upEnd = {false}, downEnd = {false};
            long[] written = {0};
            boolean done = run(() -> {
                // client: plain application
                if (upSrc.hasRemaining()) c.write(upSrc, now);
                else if (!clientShut[0]) {
                    c.shutdownOutput(now);
                    clientShut[0] = true;
                }
                downEnd[0] |= drain(c, buf, gotDown, null, null);
                if (downEnd[0] && clientShut[0] && !clientClosed[0]) {
                    c.close(now);
                    clientClosed[0] = true;
                }
                // server: the fake NSW logs reads and writes and requires commit before each write
                upEnd[0] |= drain(s, buf, gotUp, tuple, log);
                if (downSrc.hasRemaining() && s.tcp().writableBytes() > 0) {
                    // small writes, each after its own WRITE record: output keeps needing new LSNs
                    int chunk = Math.min(downSrc.remaining(), random.nextInt(1, 20_000));
                    ByteBuffer part = downSrc.duplicate().limit(downSrc.position() + chunk);
                    long lsn = log.append(new Write(tuple, written[0], chunk, 0), now);
                    require(tuple, written[0] + chunk, lsn);
                    int n = s.write(part, now);
                    downSrc.position(downSrc.position() + n);
                    written[0] += n;
                } else if (!downSrc.hasRemaining() && upEnd[0] && !serverClosed[0]) {
                    long lsn = log.append(new Close(tuple, Close.How.CLOSE), now);
                    require(tuple, down.length + 1L, lsn);
                    s.close(now);
                    serverClosed[0] = true;
                }
                return serverClosed[0] && clientClosed[0] && gotUp.size() == up.length && gotDown.size() == down.length
                        && ssw.connectionCount() == 0;
            }, 600_000 * MS);
            assertTrue(done, "transfer and close did not finish: up " + gotUp.size() + "/" + up.length + " down "
                    + gotDown.size() + "/" + down.length + " upEnd " + upEnd[0] + " downEnd " + downEnd[0]
                    + " client " + c.state() + " server " + s.state() + " tracked " + ssw.connectionCount() + ", " + msg);
            assertArrayEquals(up, gotUp.toByteArray(), "upload bytes, " + msg);
            assertArrayEquals(down, gotDown.toByteArray(), "download bytes, " + msg);
            assertTrue(clientEnd.reason == null || clientEnd.reason == CloseReason.CLOSED,
                    "client connection ended " + clientEnd.reason + ", " + msg);
            assertTrue(packetsChecked > 0);
            assertEquals(0, ssw.stats().heldPackets, "nothing left held, " + msg);
            assertEquals(0, ssw.stats().heldBytes, "nothing left held, " + msg);
        }

        void require(FourTuple tuple, long end, long lsn) {
            requirements.add(new long[]{end, lsn});
            ssw.requireStable(tuple, end, lsn);
        }

        /** Reads what is there; logs READ records when a log is given; returns true at end of stream. */
        boolean drain(Connection conn, ByteBuffer buf, ByteArrayOutputStream into, FourTuple tuple, LaggingLog nsw) {
            while (true) {
                buf.clear();
                int n = conn.read(buf, now);
                if (n != 0 && nsw != null) nsw.append(new Read(tuple, n), now);
                if (n < 0) return true;
                if (n == 0) return false;
                into.write(buf.array(), 0, n);
            }
        }

        static final class Ends implements TcpEvents {
            CloseReason reason;

            @Override
            public void onClosed(TcpConnection connection, CloseReason r) {
                reason = r;
            }
        }

        byte[] bytes(int n) {
            byte[] a = new byte[n];
            random.nextBytes(a);
            return a;
        }

        /** Everything the wrapper sends toward the client: checked, then (maybe lost, else) queued. */
        void onWire(ByteBuffer p) {
            check(p);
            if (random.nextDouble() >= loss) toClient.add(TestPackets.copy(p));
        }

        void check(ByteBuffer p) {
            packetsChecked++;
            TestPackets.Parsed q = TestPackets.parse(p);
            assertTrue(q.checksumValid(), "checksum on the wire, " + msg);
            if (q.sourcePort() != PORT) return;
            TcpSegment s = q.seg();
            Connect connect = connect();
            long stable = log.stableLsn();
            if (s.has(TcpSegment.SYN)) {
                assertTrue(connect != null && lsnOf(connect) <= stable, "SYN-ACK before its CONNECT was stable, " + msg);
            }
            if (s.has(TcpSegment.RST)) return;
            if (s.hasTimestamp) {
                // PAWS (RFC 7323): a client drops segments whose TSval is older than one it saw
                assertTrue(!sawTsVal || s.tsVal - lastTsVal >= 0, "TSval " + Integer.toUnsignedString(s.tsVal)
                        + " after " + Integer.toUnsignedString(lastTsVal) + ", " + msg);
                lastTsVal = s.tsVal;
                sawTsVal = true;
            }
            if (s.has(TcpSegment.ACK)) {
                int covered = stableClientSequenceEnd(connect, stable);
                assertTrue(s.ack - covered <= 0, "ACK " + Integer.toUnsignedString(s.ack) + " above stable "
                        + Integer.toUnsignedString(covered) + ", " + msg);
            }
            int length = q.payload().length + (s.has(TcpSegment.FIN) ? 1 : 0);
            if (length > 0 && !s.has(TcpSegment.SYN)) {
                long end = (s.seq - (connect.serverIsn() + 1) & 0xFFFF_FFFFL) + length;
                long needed = Long.MAX_VALUE;
                for (long[] r : requirements) {
                    if (r[0] >= end) {
                        needed = r[1];
                        break;
                    }
                }
                assertTrue(needed <= stable, "output up to offset " + end + " sent before LSN " + needed
                        + " was stable (stable " + stable + "), " + msg);
            }
        }

        Connect connect() {
            for (Record r : log.records) if (r instanceof Connect c) return c;
            return null;
        }

        long lsnOf(Record record) {
            return log.records.indexOf(record) + 1L;
        }

        /** The end of the client sequence space contiguously covered by stable SEGMENT records. */
        int stableClientSequenceEnd(Connect connect, long stable) {
            int start = connect.clientIsn() + 1;
            List<long[]> ranges = new ArrayList<>();
            for (int i = 0; i < stable && i < log.records.size(); i++) {
                if (log.records.get(i) instanceof Segment seg) {
                    long from = seg.seq() - start & 0xFFFF_FFFFL;
                    long length = seg.payload().length + ((seg.flags() & TcpSegment.FIN) != 0 ? 1 : 0);
                    if (from < 1L << 31 && length > 0) ranges.add(new long[]{from, from + length});
                }
            }
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            long end = 0;
            for (long[] r : ranges) {
                if (r[0] > end) break;
                end = Math.max(end, r[1]);
            }
            return start + (int) end;
        }

        /** The next packet of a link: the first in line, or with some probability the second (reordering). */
        ByteBuffer next(ArrayDeque<ByteBuffer> link) {
            ByteBuffer first = link.poll();
            if (first == null || link.isEmpty() || random.nextDouble() >= reordering) return first;
            ByteBuffer second = link.poll();
            link.addFirst(first);
            return second;
        }

        boolean run(BooleanSupplier done, long maxNanos) {
            long end = now + maxNanos;
            while (!done.getAsBoolean()) {
                if (!toWrapper.isEmpty() || !toClient.isEmpty()) {
                    ByteBuffer p;
                    if ((p = next(toWrapper)) != null && random.nextDouble() >= loss) {
                        ssw.linkSide().accept(p, now);
                        if (random.nextDouble() < duplication) ssw.linkSide().accept(TestPackets.copy(p), now);
                    }
                    if ((p = next(toClient)) != null) client.accept(p, now);
                    log.maybeScheduleAck(now, false);
                    continue;
                }
                log.maybeScheduleAck(now, true);
                long next = Math.min(Math.min(client.nextDeadline(), server.nextDeadline()), log.nextAckAt());
                if (next == Long.MAX_VALUE || next > end) return done.getAsBoolean();
                now = Math.max(now, next);
                if (log.deliverDue(now)) ssw.onStable(log.stableLsn(), now);
                if (client.nextDeadline() <= now) client.onTimer(now);
                if (server.nextDeadline() <= now) server.onTimer(now);
            }
            return true;
        }
    }

    @Test
    void aFailingCheckIsReported() {
        // The wire check must be able to fail: an ACK above stable client data is caught.
        Run run = new Run(1);
        run.log.append(new Connect(new FourTuple(SERVICE, PORT, CLIENT, 1234), 100, 500, 1460, 1460, -1, -1,
                false, false, 0, 0, 1000), run.now);
        TcpSegment ack = TestPackets.seg(TcpSegment.ACK, 501, 150, 1000);
        ByteBuffer p = TestPackets.packet(SERVICE, PORT, CLIENT, 1234, ack, null, false);
        try {
            run.check(p);
        } catch (AssertionError expected) {
            assertTrue(expected.getMessage().contains("above stable"), expected.getMessage());
            return;
        }
        fail("an ACK above the stable client data passed the wire check");
    }
}
