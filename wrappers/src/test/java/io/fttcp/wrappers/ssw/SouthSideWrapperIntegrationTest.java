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
 * backup whose acknowledgements lag by random times, wire delay with jitter (reordering), loss and duplication,
 * optional checksum and segmentation offload on the server, several protected connections at
 * once plus one to an unprotected port, and a fake north-side wrapper on the server that logs
 * its reads and small writes and requires output commit before each write. The wire between the
 * wrapper and the client is checked on every packet: valid checksums; on protected connections
 * no ACK above the client data stable at that moment, no SYN-ACK before its CONNECT is stable,
 * no output byte or FIN before the records its write needs are stable, no TSval going back.
 */
class SouthSideWrapperIntegrationTest {
    static final long MS = 1_000_000L;
    static final int UNPROTECTED_PORT = 8080;

    @Test
    void transfersBothWaysByteExactWhileTheWireNeverRunsAheadOfStability() {
        // -Dfttcp.ssw.seed=<seed> replays one run (printed on failure); -Dfttcp.ssw.runs=<n> runs more.
        String replay = System.getProperty("fttcp.ssw.seed");
        long base = replay != null ? Long.parseLong(replay) : new SplittableRandom().nextLong();
        int runs = replay != null ? 1 : Integer.getInteger("fttcp.ssw.runs", 40);
        SswStats total = new SswStats();
        for (int i = 0; i < runs; i++) {
            Run run = new Run(base + i);
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

    @Test
    void aFailingCheckIsReported() {
        // The wire check must be able to fail: an ACK above stable client data is caught.
        Run run = new Run(1);
        Run.Flow flow = run.new Flow(true, 1, 1);
        flow.tuple = new FourTuple(SERVICE, PORT, CLIENT, 1234);
        run.flows.add(flow);
        run.log.append(new Connect(flow.tuple, 100, 500, 1460, 1460, -1, -1, false, false, 0, 0, 1000), run.now);
        ByteBuffer ack = TestPackets.packet(SERVICE, PORT, CLIENT, 1234, TestPackets.seg(TcpSegment.ACK, 501, 150, 1000),
                null, false);
        try {
            run.check(ack);
        } catch (AssertionError expected) {
            assertTrue(expected.getMessage().contains("above stable"), expected.getMessage());
            return;
        }
        fail("an ACK above the stable client data passed the wire check");
    }

    /** One seeded run: two hosts, the wrapper, the lagging log, the flows, the checks. */
    static final class Run {
        final String msg;
        final SplittableRandom random;
        final LaggingLog log;
        final SouthSideWrapper ssw;
        final IpHost client, server;
        final DelayedLink toClient = new DelayedLink(), toWrapper = new DelayedLink();
        final double loss, duplication;
        final long delay, jitter;
        /** The server's offloads: -1 none, 0 checksum only, else checksum and segmentation up to this size. */
        final int offload;
        final List<Flow> flows = new ArrayList<>();
        final ByteBuffer readBuffer = ByteBuffer.allocate(65536);
        long now = 1_000 * MS;

        Run(long seed) {
            this.msg = "seed " + seed; // everything below is drawn from it
            this.random = new SplittableRandom(seed);
            this.log = new LaggingLog(random, (random.nextBoolean() ? random.nextLong(1, 8) : random.nextLong(20, 100)) * MS);
            this.loss = random.nextInt(3) * 0.01;
            this.delay = random.nextBoolean() ? 0 : random.nextLong(2_000_000);
            this.jitter = random.nextBoolean() ? 0 : random.nextLong(500_000);
            this.duplication = random.nextInt(2) * 0.01;
            this.offload = switch (random.nextInt(3)) {
                case 0 -> -1;
                case 1 -> 0;
                default -> random.nextInt(2, 40) * 1000;
            };
            HostConfig clientConfig = HostConfig.defaults(1, 2)
                    .withTcp(HostConfig.defaults(1, 2).tcp().withOptions(random.nextBoolean(), random.nextBoolean(), true));
            client = new IpHost(clientConfig, (p, t) -> transmit(toWrapper, p));
            client.addAddress(CLIENT);
            IpPacketSink wire = (p, t) -> onWire(p);
            IpPacketSink serverLink = offload < 0 ? wire : new SoftwareOffloadLink(wire);
            HostConfig serverConfig = HostConfig.defaults(3, 4);
            if (random.nextBoolean()) { // small buffers: window updates, partial writes
                serverConfig = serverConfig.withTcp(serverConfig.tcp().withBuffers(random.nextInt(16, 256) * 1024,
                        random.nextInt(16, 256) * 1024));
            }
            if (offload >= 0) serverConfig = serverConfig.withOffload(offload, true);
            ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log, serverLink, false);
            server = new IpHost(serverConfig, ssw.stackSide());
            server.addAddress(SERVICE);
            ssw.attachStack(server);
        }

        void transferAndClose() {
            Listener protectedPort = server.listen(SERVICE, PORT, 16, l -> { });
            Listener otherPort = server.listen(SERVICE, UNPROTECTED_PORT, 16, l -> { });
            int protectedFlows = random.nextInt(1, 4);
            boolean withUnprotected = random.nextBoolean();
            for (int i = 0; i < protectedFlows + (withUnprotected ? 1 : 0); i++) {
                Flow f = new Flow(i < protectedFlows, random.nextInt(1, 200_000), random.nextInt(1, 400_000));
                f.client = client.connect(CLIENT, SERVICE, f.protectedFlow ? PORT : UNPROTECTED_PORT, f.clientEnd, now);
                flows.add(f);
            }
            boolean done = run(() -> {
                accept(protectedPort);
                accept(otherPort);
                boolean all = true;
                for (Flow f : flows) all &= f.step();
                return all && ssw.connectionCount() == 0;
            }, 600_000 * MS);
            for (Flow f : flows) {
                String where = (f.protectedFlow ? "protected " : "unprotected ") + f.tuple + ", " + msg;
                assertTrue(done, "transfer and close did not finish: " + f.progress() + " tracked " + ssw.connectionCount()
                        + ", " + where);
                assertArrayEquals(f.up, f.gotUp.toByteArray(), "upload bytes, " + where);
                assertArrayEquals(f.down, f.gotDown.toByteArray(), "download bytes, " + where);
                assertTrue(f.clientEnd.reason == null || f.clientEnd.reason == CloseReason.CLOSED,
                        "client connection ended " + f.clientEnd.reason + ", " + where);
                if (f.protectedFlow) assertTrue(f.packetsChecked > 0, where);
            }
            for (Record r : log.records) {
                if (r instanceof Segment s) assertEquals(PORT, s.tuple().localPort(), "only protected traffic is logged, " + msg);
            }
            assertEquals(0, ssw.stats().heldPackets, "nothing left held, " + msg);
            assertEquals(0, ssw.stats().heldBytes, "nothing left held, " + msg);
        }

        private void accept(Listener listener) {
            Connection s;
            while ((s = listener.poll()) != null) {
                for (Flow f : flows) {
                    if (f.client.tuple().localPort() == s.tuple().remotePort()) {
                        f.server = s;
                        f.tuple = s.tuple();
                        // As the runtime does: the host's close event tells the wrapper the
                        // connection is gone (it cannot tell from the packets alone).
                        FourTuple t = s.tuple();
                        s.setEvents(new TcpEvents() {
                            @Override
                            public void onClosed(TcpConnection connection, CloseReason r) {
                                ssw.connectionClosed(t, r);
                            }
                        });
                    }
                }
            }
        }

        Flow flowTo(int clientPort) {
            for (Flow f : flows) if (f.tuple != null && f.tuple.remotePort() == clientPort) return f;
            for (Flow f : flows) if (f.client != null && f.client.tuple().localPort() == clientPort) return f;
            return null;
        }

        /** One connection: a plain client, and a server application behind the fake NSW (on protected ones). */
        final class Flow {
            final boolean protectedFlow;
            final byte[] up, down;
            final ByteBuffer upSrc, downSrc;
            final ByteArrayOutputStream gotUp = new ByteArrayOutputStream(), gotDown = new ByteArrayOutputStream();
            final Ends clientEnd = new Ends();
            final List<long[]> requirements = new ArrayList<>(); // {streamOffsetEnd, lsn}, from the fake NSW
            Connection client, server;
            FourTuple tuple; // as the server sees it
            Connect connect;
            boolean clientShut, clientClosed, serverClosed, upEnd, downEnd;
            long written, packetsChecked;
            int lastTsVal;
            boolean sawTsVal;
            /** For the ACK check: log records looked at, stable ranges beyond a gap, contiguous stable end. */
            int scanned;
            final java.util.TreeMap<Long, Long> stableRanges = new java.util.TreeMap<>();
            long covered;

            Flow(boolean protectedFlow, int upLength, int downLength) {
                this.protectedFlow = protectedFlow;
                this.up = bytes(upLength);
                this.down = bytes(downLength);
                this.upSrc = ByteBuffer.wrap(up);
                this.downSrc = ByteBuffer.wrap(down);
            }

            /** Moves the applications on; returns true when both sides are done and closed. */
            boolean step() {
                if (client.state() == io.fttcp.stack.tcp.TcpState.SYN_SENT) return false;
                if (upSrc.hasRemaining()) client.write(upSrc, now);
                else if (!clientShut) {
                    client.shutdownOutput(now);
                    clientShut = true;
                }
                downEnd |= drain(client, gotDown, false);
                if (downEnd && clientShut && !clientClosed) {
                    client.close(now);
                    clientClosed = true;
                }
                if (server == null) return false;
                upEnd |= drain(server, gotUp, protectedFlow);
                if (downSrc.hasRemaining() && server.tcp().writableBytes() > 0) {
                    // small writes, each after its own WRITE record: output keeps needing new LSNs
                    int chunk = Math.min(downSrc.remaining(), random.nextInt(1, 20_000));
                    ByteBuffer part = downSrc.duplicate().limit(downSrc.position() + chunk);
                    if (protectedFlow) require(written + chunk, log.append(new Write(tuple, written, chunk, 0), now));
                    int n = server.write(part, now);
                    downSrc.position(downSrc.position() + n);
                    written += n;
                } else if (!downSrc.hasRemaining() && upEnd && !serverClosed) {
                    if (protectedFlow) require(down.length + 1L, log.append(new Close(tuple, Close.How.CLOSE), now));
                    server.close(now);
                    serverClosed = true;
                }
                return serverClosed && clientClosed && gotUp.size() == up.length && gotDown.size() == down.length;
            }

            void require(long end, long lsn) {
                requirements.add(new long[]{end, lsn});
                ssw.requireStable(tuple, end, lsn);
            }

            /** Reads what is there (logging READ records if asked); returns true at end of stream. */
            boolean drain(Connection conn, ByteArrayOutputStream into, boolean logReads) {
                while (true) {
                    readBuffer.clear();
                    int n = conn.read(readBuffer, now);
                    if (n != 0 && logReads) log.append(new Read(tuple, n), now);
                    if (n < 0) return true;
                    if (n == 0) return false;
                    into.write(readBuffer.array(), 0, n);
                }
            }

            String progress() {
                return "up " + gotUp.size() + "/" + up.length + " down " + gotDown.size() + "/" + down.length
                        + " upEnd " + upEnd + " downEnd " + downEnd + " client " + (client == null ? "-" : client.state())
                        + " server " + (server == null ? "-" : server.state());
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
            transmit(toClient, p);
        }

        void check(ByteBuffer p) {
            TestPackets.Parsed q = TestPackets.parse(p);
            assertTrue(q.checksumValid(), "checksum on the wire, " + msg);
            Flow f = flowTo(q.destinationPort());
            if (q.sourcePort() != PORT || f == null) return;
            f.packetsChecked++;
            TcpSegment s = q.seg();
            Connect connect = connectOf(f);
            long stable = log.stableLsn();
            if (s.has(TcpSegment.SYN)) {
                assertTrue(connect != null && lsnOf(connect) <= stable, "SYN-ACK before its CONNECT was stable, " + msg);
            }
            if (s.has(TcpSegment.RST)) return;
            if (s.hasTimestamp) {
                // PAWS (RFC 7323): a client drops segments whose TSval is older than one it saw
                assertTrue(!f.sawTsVal || s.tsVal - f.lastTsVal >= 0, "TSval " + Integer.toUnsignedString(s.tsVal)
                        + " after " + Integer.toUnsignedString(f.lastTsVal) + ", " + msg);
                f.lastTsVal = s.tsVal;
                f.sawTsVal = true;
            }
            if (s.has(TcpSegment.ACK)) {
                int covered = stableClientSequenceEnd(f, connect, stable);
                assertTrue(s.ack - covered <= 0, "ACK " + Integer.toUnsignedString(s.ack) + " above stable "
                        + Integer.toUnsignedString(covered) + ", " + msg);
            }
            int length = q.payload().length + (s.has(TcpSegment.FIN) ? 1 : 0);
            if (length > 0 && !s.has(TcpSegment.SYN)) {
                long end = (s.seq - (connect.serverIsn() + 1) & 0xFFFF_FFFFL) + length;
                long needed = Long.MAX_VALUE;
                for (long[] r : f.requirements) {
                    if (r[0] >= end) {
                        needed = r[1];
                        break;
                    }
                }
                assertTrue(needed <= stable, "output up to offset " + end + " sent before LSN " + needed
                        + " was stable (stable " + stable + "), " + msg);
            }
        }

        Connect connectOf(Flow f) {
            if (f.connect == null) {
                int clientPort = f.tuple != null ? f.tuple.remotePort() : f.client.tuple().localPort();
                for (Record r : log.records) {
                    if (r instanceof Connect c && c.tuple().remotePort() == clientPort) f.connect = c;
                }
            }
            return f.connect;
        }

        long lsnOf(Record record) {
            return log.records.indexOf(record) + 1L;
        }

        /**
         * The end of the client sequence space contiguously covered by stable SEGMENT records,
         * computed here from the log independently of the wrapper (incrementally: stability only grows).
         */
        int stableClientSequenceEnd(Flow f, Connect connect, long stable) {
            int start = connect.clientIsn() + 1;
            for (; f.scanned < stable && f.scanned < log.records.size(); f.scanned++) {
                if (log.records.get(f.scanned) instanceof Segment seg && seg.tuple().equals(connect.tuple())) {
                    long from = seg.seq() - start & 0xFFFF_FFFFL;
                    long length = seg.payload().length + ((seg.flags() & TcpSegment.FIN) != 0 ? 1 : 0);
                    if (from < 1L << 31 && length > 0) f.stableRanges.merge(from, from + length, Math::max);
                }
            }
            while (!f.stableRanges.isEmpty() && f.stableRanges.firstKey() <= f.covered) {
                f.covered = Math.max(f.covered, f.stableRanges.pollFirstEntry().getValue());
            }
            return start + (int) f.covered;
        }

        /** Onto the wire, unless lost; sometimes twice. */
        void transmit(DelayedLink link, ByteBuffer p) {
            if (random.nextDouble() < loss) return;
            link.send(p, now, delay + (jitter > 0 ? random.nextLong(jitter) : 0));
            if (random.nextDouble() < duplication) link.send(p, now, delay + (jitter > 0 ? random.nextLong(jitter) : 0));
        }

        boolean run(BooleanSupplier done, long maxNanos) {
            long end = now + maxNanos;
            while (!done.getAsBoolean()) {
                ByteBuffer p = toWrapper.poll(now);
                if (p != null) ssw.linkSide().accept(p, now);
                ByteBuffer q = toClient.poll(now);
                if (q != null) client.accept(q, now);
                if (p != null || q != null) {
                    log.maybeScheduleAck(now, false);
                    continue;
                }
                log.maybeScheduleAck(now, true);
                long next = Math.min(Math.min(client.nextDeadline(), server.nextDeadline()), log.nextAckAt());
                next = Math.min(next, Math.min(toWrapper.nextArrival(), toClient.nextArrival()));
                if (next == Long.MAX_VALUE || next > end) return done.getAsBoolean();
                now = Math.max(now, next);
                if (log.deliverDue(now)) ssw.onStable(log.stableLsn(), now);
                if (client.nextDeadline() <= now) client.onTimer(now);
                if (server.nextDeadline() <= now) server.onTimer(now);
            }
            return true;
        }
    }
}
