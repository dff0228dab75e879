package io.fttcp.roles.sim;

import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.Pattern;
import io.fttcp.sim.stack.RequestResponseClient;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.ssw.SswStats;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client connections to the protected service and what each must achieve: plans (bulk both
 * ways, or request-response with an echo), the clients' applications (the simulation's
 * unmodified {@code BulkEndpoint} and {@code RequestResponseClient}), and the checks at the end:
 * orderly closes, no resets, and the backup's image of each client stream exactly what the
 * client sent, FIN included.
 */
final class Transfers {
    /**
     * What one connection does; the server finds it by the client's address and port.
     *
     * @param refuseAfter -1, or: the server reads only this many bytes of the upload, writes the
     *                    whole download as its answer and closes with the rest unread, so its stack
     *                    resets the client (an HTTP server refusing an upload)
     */
    record Plan(long upBytes, long downBytes, int[] requests, long upSeed, long downSeed, long refuseAfter) {
        Plan(long upBytes, long downBytes, int[] requests, long upSeed, long downSeed) {
            this(upBytes, downBytes, requests, upSeed, downSeed, -1);
        }

        Plan refusingAfter(long bytes) {
            if (requests != null || bytes < 0 || bytes >= upBytes) throw new IllegalArgumentException("a bulk upload refused within it");
            return new Plan(upBytes, downBytes, null, upSeed, downSeed, bytes);
        }

        boolean refuses() {
            return refuseAfter >= 0;
        }

        /** A request-response session: {@code min} to {@code max - 1} batches of 1-2 KiB (a batch of key-value commands), each answered once read whole. */
        static Plan session(SplittableRandom r, int min, int max) {
            int[] batches = new int[r.nextInt(min, max)];
            for (int i = 0; i < batches.length; i++) batches[i] = r.nextInt(1, 2049);
            return new Plan(0, 0, batches, r.nextLong(), r.nextLong());
        }

        static Plan random(SplittableRandom r, long maxBytes) {
            long upSeed = r.nextLong(), downSeed = r.nextLong();
            if (r.nextInt(4) == 0) {
                int[] requests = new int[r.nextInt(1, 10)];
                for (int i = 0; i < requests.length; i++) {
                    requests[i] = (int) Math.min(16 * 1024, PrimaryWorld.randomSize(r, maxBytes));
                }
                return new Plan(0, 0, requests, upSeed, downSeed);
            }
            return new Plan(PrimaryWorld.randomSize(r, maxBytes), PrimaryWorld.randomSize(r, maxBytes), null, upSeed, downSeed);
        }

        ConnectionApp clientApp() {
            return requests != null ? new RequestResponseClient(new Pattern(upSeed), requests)
                    : new BulkEndpoint(new Pattern(upSeed), upBytes, new Pattern(downSeed), downBytes);
        }

        ServiceApp serverApp() {
            return requests != null ? new EchoService()
                    : new BulkService(new Pattern(downSeed), downBytes, new Pattern(upSeed), upBytes, refuseAfter);
        }

        /** Bytes the client sends. */
        long clientBytes() {
            if (requests == null) return upBytes;
            long sum = 0;
            for (int n : requests) sum += n;
            return sum;
        }

        /** Bytes both ways. */
        long bytes() {
            return requests == null ? upBytes + downBytes : 2 * clientBytes();
        }
    }

    private final Map<Long, Plan> byClient = new HashMap<>();
    final List<ConnectionApp> clients = new ArrayList<>();
    final List<Plan> plans = new ArrayList<>();
    private final List<SimStackHost[]> clientHosts = new ArrayList<>();
    private final Map<ConnectionApp, SimStackHost[]> hostOf = new HashMap<>();
    private PrimaryWorld world;

    private static long key(int address, int port) {
        return (address & 0xFFFFFFFFL) << 16 | port;
    }

    /** A test's own choice of how the primary's applications behave (their pace), after the world's. */
    java.util.function.UnaryOperator<ServiceApp> serverChoice = app -> app;

    /** The primary's application for an accepted connection. */
    ServiceApp serverAppFor(Connection accepted) {
        FourTuple t = accepted.tuple();
        Plan plan = byClient.get(key(t.remoteAddress(), t.remotePort()));
        if (plan == null) throw new IllegalStateException("no plan for " + t);
        return serverChoice.apply(world.serverBehaviour(plan.serverApp(), plan.upSeed()));
    }

    /** The plan of the connection the server names {@code serverSide}, or null. */
    Plan planFor(FourTuple serverSide) {
        return byClient.get(key(serverSide.remoteAddress(), serverSide.remotePort()));
    }

    void attach(PrimaryWorld world) {
        this.world = world;
    }

    /** Opens a connection from {@code client} to the service after {@code delay}, doing {@code plan}. */
    void open(SimStackHost[] client, Plan plan, long delay) {
        ConnectionApp app = world.clientBehaviour(plan.clientApp(), plan.downSeed());
        if (!clientHosts.contains(client)) clientHosts.add(client);
        clients.add(app);
        hostOf.put(app, client);
        plans.add(plan);
        world.sim.scheduler().after(delay, () -> {
            Connection c = app.open(client[0], PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT);
            byClient.put(key(c.tuple().localAddress(), c.tuple().localPort()), plan);
        });
    }

    /** Whether {@code app} cancelled its transfer (an RST of its own). */
    static boolean aborted(ConnectionApp app) {
        return app instanceof BulkEndpoint b && b.aborted();
    }

    /** The RSTs the clients on {@code host} sent by cancelling their transfers. */
    long abortResetsOn(SimStackHost[] host) {
        return clients.stream().filter(a -> hostOf.get(a) == host).mapToLong(a -> a instanceof BulkEndpoint e ? e.abortResets() : 0).sum();
    }

    /** The service's name for the connections whose clients cancelled them. */
    Set<FourTuple> abortedConnections() {
        Set<FourTuple> out = new HashSet<>();
        for (ConnectionApp a : clients) if (aborted(a)) out.add(PrimaryWorld.serverTuple(a.connection()));
        return out;
    }

    SimStackHost[] hostOf(ConnectionApp app) {
        return hostOf.get(app);
    }

    /** The service's name for the connections whose server refuses their upload ({@link Plan#refusingAfter}). */
    Set<FourTuple> refusedConnections() {
        Set<FourTuple> out = new HashSet<>();
        for (int i = 0; i < clients.size(); i++) {
            if (plans.get(i).refuses() && clients.get(i).connection() != null) out.add(PrimaryWorld.serverTuple(clients.get(i).connection()));
        }
        return out;
    }

    /** Whether the server of {@code app}'s connection refuses its upload. */
    boolean refused(ConnectionApp app) {
        return plans.get(clients.indexOf(app)).refuses();
    }

    long bytes() {
        long sum = 0;
        for (Plan p : plans) sum += p.bytes();
        return sum;
    }

    boolean allClosed() {
        for (ConnectionApp app : clients) if (!app.isClosed() && app.failure() == null) return false;
        if (world.acceptor.apps().size() < clients.size()) return false;
        for (ServiceApp app : world.acceptor.apps()) if (!app.isClosed() && app.failure() == null) return false;
        return true;
    }

    /** Runs until every connection ended both sides and every record is stable; false on timeout. */
    boolean runToEnd(Duration timeout) {
        return world.sim.runUntil(() -> allClosed() && world.log.stableLsn() == world.log.lastLsn(), timeout);
    }

    String describe() {
        StringBuilder b = new StringBuilder("clients ").append(clients).append(", servers ").append(world.acceptor.apps())
                .append(", stable LSN ").append(world.log.stableLsn()).append(" of ").append(world.log.lastLsn())
                .append(" (backup holds ").append(world.log.backupImage().lastLsn()).append(", ").append(world.log.batches())
                .append(" batches, ").append(world.log.acks()).append(" acks)")
                .append(", wrapper ").append(describe(world.primary.ssw().stats()));
        for (ConnectionApp app : clients) {
            if (!app.isClosed() && app.connection() != null) {
                b.append("\n  ").append(app).append(": ").append(app.connection().tcp());
            }
        }
        return b.toString();
    }

    static String describe(SswStats s) {
        return "[logged " + s.connectsLogged + " CONNECT " + s.segmentsLogged + " SEGMENT, held " + s.held + " (now " + s.heldPackets
                + "), released " + s.released + ", clamped " + s.clamped + ", suppressed repeat ACKs " + s.suppressedRepeatAcks
                + ", wrapper ACKs " + s.wrapperAcks + ", untracked data dropped " + s.untrackedDataDropped + ", fenced drops "
                + s.droppedWhileFenced + ", forgotten " + s.connectionsForgotten + "]";
    }

    /** Every connection completed, closed in order, without resets; the backup holds each client stream exactly. */
    void checkAll(String where) {
        String violation = world.checker.violation();
        assertNull(violation, "promise broken on the wire: " + violation + "; " + where);
        for (ConnectionApp app : clients) {
            assertNull(app.failure(), "client " + app + ", " + where);
            assertTrue(app.isDone(), "client did not finish: " + app + ", " + where);
            assertEquals(CloseReason.CLOSED, app.closeReason(), "client did not close in order: " + app + ", " + where);
        }
        assertEquals(clients.size(), world.acceptor.apps().size(), "accepted connections, " + where);
        for (ServiceApp app : world.acceptor.apps()) {
            assertNull(app.failure(), "server " + app + ", " + where);
            assertTrue(app.isDone(), "server did not finish: " + app + ", " + where);
            assertEquals(CloseReason.CLOSED, app.closeReason(), "server did not close in order: " + app + ", " + where);
        }
        for (SimStackHost[] host : clientHosts) {
            assertEquals(0, host[0].connectionResetsSent(), "client " + host[0] + " sent resets, " + where);
        }
        for (int i = 0; i < clients.size(); i++) {
            ConnectionApp app = clients.get(i);
            checkImage(world.log.backupImage(), "backup", app, plans.get(i), where);
            checkImage(world.log.stableImage(), "stable", app, plans.get(i), where);
        }
        assertEquals(0, world.primary.ssw().stats().heldPackets, "packets left held, " + where);
        assertEquals(0, world.primary.ssw().connectionCount(), "connections still tracked by the wrapper, " + where);
        assertEquals(world.log.lastLsn(), world.log.backupImage().lastLsn(), "the backup holds every record, " + where);
    }

    /** (d): the image rebuilt from the records holds exactly the bytes the client sent, then its FIN. */
    static void checkImage(BackupImage image, String which, ConnectionApp client, Plan plan, String where) {
        FourTuple tuple = PrimaryWorld.serverTuple(client.connection());
        BackupImage.ClientStream stream = image.stream(tuple);
        String what = which + " image of " + tuple + ", " + where;
        assertTrue(stream != null, "no CONNECT in the " + what);
        assertEquals(0, stream.conflicts(), "conflicting bytes in the " + what);
        assertEquals(plan.clientBytes(), stream.contiguousLength(), "client bytes in the " + what);
        assertTrue(stream.finReached(), "client FIN in the " + what);
        long mismatch = new Pattern(plan.upSeed()).firstMismatch(ByteBuffer.wrap(stream.contiguousBytes()), 0);
        assertEquals(-1, mismatch, "first byte differing from what the client sent, in the " + what);
        assertTrue(!stream.wasReset(), "client reset in the " + what);
    }
}
