package io.fttcp.roles.sim;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.roles.takeover.ClientResets;
import io.fttcp.sim.SimHost;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import io.fttcp.wrappers.nsw.ConnectionImage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Primary/backup failover on the simulated network: a {@link PrimaryWorld} (clients, the
 * protected primary, its replication stream) plus a backup host (10.0.0.50, an ordinary stack
 * on its own port and MAC) whose {@link BackupApplication} follows the primary's execution
 * from every record it receives. {@link #crashPrimary} is a power loss of the primary host;
 * the backup notices after the detection timeout, stops acknowledging, waits out the primary's
 * lease (it runs from the backup's last acknowledgement), then takes over (DESIGN.md §4): the application consumes
 * every determinant, the wrapper materializes every connection in the backup's stack, the
 * backup adds the service address and announces it by gratuitous ARP, and resumes each
 * connection at once.
 *
 * <p>With a <em>cold start</em> (message logging, issue 4) the backup host follows nothing: the
 * replication link's far side plays a logger, and when the primary is found dead the cold start
 * is told; it builds a fresh application from what the logger kept and hands it over with
 * {@link #startRecovered}, and the takeover goes on as above.
 */
final class FailoverWorld {
    static final int BACKUP_ADDRESS = PrimaryWorld.ip(50);
    /** The primary's lease: it fences itself this long after the last acknowledgement it received. */
    static final long LEASE = 40 * MS;
    static final long HEARTBEAT_INTERVAL = 20 * MS;
    /** Investigation aid: -Dfttcp.failover.tracePort=P prints every frame of client port P delivered. */
    static final int TRACE_PORT = Integer.getInteger("fttcp.failover.tracePort", 0);

    final PrimaryWorld world;
    final Transfers transfers = new Transfers();
    final SimStackHost[] backup;
    /** The backup host's application: from the start (hot backup), or from {@link #startRecovered} (cold start). */
    BackupApplication application;
    /** Null for a hot backup; else told when the primary is found dead. */
    private final Runnable coldStart;
    /** Set once before the run (a false-takeover world draws its own). */
    long detectionTimeout;
    /** How long the backup works (drains, materializes) after the lease ran out before it speaks; 0 unless set. */
    long takeoverWork;
    /** The backup acknowledges after up to 200 ms (else within 5 ms). */
    final boolean laggingBackup;
    private final List<SimPort> clientPorts = new ArrayList<>();
    private final Set<ConnectionApp> clientsReset = new HashSet<>();
    private final SimPort backupPort;
    private final WarmNeighbours neighbours;
    private boolean pumpPosted;
    SimLiveBinding binding;
    /** The takeover's resets of clients whose connections were not restored (the real code's, {@link ClientResets}). */
    ClientResets resets;
    long crashedAt = -1, takenOverAt = -1;
    /** RSTs from the service address delivered to a client connection still open (not TIME-WAIT or closed). */
    long resetsToClients;
    /** Every RST from the service address delivered to a client host, also those answering segments of connections already over. */
    long resetsDelivered;
    /** The promise checker's verdict on the primary's output up to its crash. */
    String primaryViolation;
    String takeoverFailure;
    /** Whether the backup has its whole catch-up (a backup that joined a primary serving unprotected); always, otherwise. */
    java.util.function.BooleanSupplier catchUpComplete = () -> true;
    /**
     * The backup found the primary gone more than a claim window after it last heard it (it was
     * cut off meanwhile; StaleCopy): it restores none of the connections it knows, as BackupHost.
     */
    boolean staleCopy;
    /** When the first IP packet from the service address sent by the backup arrived anywhere. */
    long firstServiceFrameFromBackupAt = Long.MAX_VALUE;

    /**
     * @param nondeterministic which connections (the server's four-tuple) the backup's copy of the
     *                         application serves with other output bytes
     */
    FailoverWorld(long seed, Predicate<FourTuple> nondeterministic) {
        this(seed, nondeterministic, null);
    }

    /**
     * @param coldStart null for a hot backup; else the backup host has no application until
     *                  {@link #startRecovered}, and this runs when the primary is found dead
     */
    FailoverWorld(long seed, Predicate<FourTuple> nondeterministic, Runnable coldStart) {
        this.coldStart = coldStart;
        SplittableRandom setup = new SplittableRandom(seed ^ 0xFA11_0000L);
        LinkConditions primaryLink = PrimaryWorld.randomConditions(setup);
        long[] replication = PrimaryWorld.randomReplication(setup);
        laggingBackup = replication[2] >= 100 * MS;
        LinkConditions backupLink = PrimaryWorld.randomConditions(setup);
        detectionTimeout = setup.nextLong(10 * MS, 150 * MS);
        world = new PrimaryWorld(seed, primaryLink, replication, transfers::serverAppFor);
        transfers.attach(world);
        world.sockets.hashOutput();
        SimHost backupHost = world.sim.addHost("backup", backupLink);
        backup = new SimStackHost[1];
        backupHost.start(life -> backup[0] = new SimStackHost(life, world.tcp, BACKUP_ADDRESS));
        backupPort = backupHost.port();
        neighbours = new WarmNeighbours(backup[0], BACKUP_ADDRESS);
        if (coldStart == null) {
            application = new BackupApplication(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, transfers::planFor,
                    t -> {
                        BackupImage.ClientStream s = world.log.backupImage().stream(t);
                        return s == null ? 0L : (long) s.contiguousLength();
                    }, nondeterministic);
            world.log.onBackupRecord((lsn, record) -> {
                application.apply(lsn, record);
                if (record instanceof Connect c) neighbours.know(c.tuple().remoteAddress());
            }, application::pump);
        }
        heartbeat();
        world.sim.network().addObserver(new NetworkObserver() {
            /** Traced too: every frame lost anywhere (the network does not say whose), to tell a loss from a segment never sent. */
            @Override
            public void dropped(SimPort at, io.fttcp.sim.net.DropCause cause, long now) {
                if (TRACE_PORT > 0) System.out.println((now / 1000) + "us DROP at " + at.name() + " " + cause);
            }

            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (TRACE_PORT > 0 && SeedTrace.concerns(frame, TRACE_PORT)) {
                    System.out.println((now / 1000) + "us " + from.name() + ">" + to.name() + " " + SeedTrace.describe(frame) + timestamps(frame));
                }
                if (from == backupPort && firstServiceFrameFromBackupAt == Long.MAX_VALUE && ServiceFrames.isIpv4From(frame, PrimaryWorld.SERVICE_ADDRESS)) {
                    firstServiceFrameFromBackupAt = now;
                }
                if (clientPorts.contains(to) && ServiceFrames.isIpv4From(frame, PrimaryWorld.SERVICE_ADDRESS) && ServiceFrames.isTcp(frame)
                        && (ServiceFrames.flags(frame) & TcpSegment.RST) != 0) {
                    resetsDelivered++;
                    ConnectionApp client = clientOf(frame);
                    if (client != null && client.connection() != null && !isOver(client.connection().tcp().state())) {
                        resetsToClients++;
                        clientsReset.add(client);
                    }
                }
            }
        });
    }

    /** The primary's heartbeats carry its highest TSval per connection (the backup's timestamp clock must pass them). */
    private void heartbeat() {
        world.primary.incarnation().after(HEARTBEAT_INTERVAL, () -> {
            world.log.append(new Heartbeat(world.sim.now(), world.primary.ssw().changedMaxTsVals()), world.sim.now());
            heartbeat();
        });
    }

    /** " ts=TSval/TSecr" and " sack=L-R,..." of a TCP frame with those options, else "". */
    private static String timestamps(ByteBuffer f) {
        int ip = f.position() + 14, tcp = ip + (f.get(ip) & 0xF) * 4, end = tcp + ((f.get(tcp + 12) & 0xF0) >>> 2);
        StringBuilder options = new StringBuilder();
        for (int i = tcp + 20; i < end; ) {
            int kind = f.get(i) & 0xFF;
            if (kind == 0) break;
            if (kind == 1) {
                i++;
                continue;
            }
            int len = f.get(i + 1) & 0xFF;
            if (len < 2) break;
            if (kind == 8) options.append(" ts=").append(Integer.toUnsignedString(f.getInt(i + 2))).append('/').append(Integer.toUnsignedString(f.getInt(i + 6)));
            if (kind == 5) {
                options.append(" sack=");
                for (int b = i + 2; b + 8 <= i + len; b += 8) {
                    options.append(b == i + 2 ? "" : ",").append(Integer.toUnsignedString(f.getInt(b))).append('-').append(Integer.toUnsignedString(f.getInt(b + 4)));
                }
            }
            i += len;
        }
        return options.toString();
    }

    SimStackHost[] addClient(String name, int last, LinkConditions conditions) {
        SimStackHost[] client = world.addClient(name, last, conditions);
        clientPorts.add(world.sim.host(name).port());
        return client;
    }

    /** Power loss of the primary, now; the takeover follows on the backup. */
    void crashPrimary() {
        crashPrimaryUnnoticed();
        world.sim.scheduler().schedule(crashedAt + detectionTimeout, this::detect);
    }

    /** Power loss of the primary, now, unnoticed by a backup that has already given it up (it {@link #detect}s when it can tell). */
    void crashPrimaryUnnoticed() {
        crashedAt = world.sim.now();
        if (TRACE_PORT > 0) System.out.println((crashedAt / 1000) + "us CRASH; " + describe());
        primaryViolation = world.checker.violation();
        world.primaryHost.crash();
        world.log.primaryCrashed();
    }

    /**
     * The backup decides the primary is dead (no heartbeat within the detection timeout). From
     * now on it acknowledges nothing (each acknowledgement it sends would renew the lease of a
     * primary that might only be cut off), and it speaks once the lease has surely run out.
     */
    void detect() {
        world.log.pauseAcks();
        if (coldStart != null) {
            coldStart.run();
            return;
        }
        world.sim.scheduler().schedule(Math.max(world.sim.now(), leaseEnd()) + takeoverWork, this::takeOver);
    }

    /**
     * Cold start: the application rebuilt from the logger's records takes over once the
     * primary's lease has run out; meanwhile the host resolves the clients it names (as the hot
     * backup does on each CONNECT, see {@link WarmNeighbours}).
     */
    void startRecovered(BackupApplication recovered, Iterable<Integer> clientAddresses) {
        if (coldStart == null || application != null) throw new IllegalStateException("not a cold start, or started already");
        application = recovered;
        for (int client : clientAddresses) neighbours.know(client);
        world.sim.scheduler().schedule(Math.max(world.sim.now(), leaseEnd()), this::takeOver);
    }

    /** When the primary's lease surely ran out: a lease (plus a millisecond of margin) after the backup's last acknowledgement. */
    long leaseEnd() {
        return world.log.lastAckSentAt() == Long.MIN_VALUE ? 0 : world.log.lastAckSentAt() + LEASE + MS;
    }

    private void takeOver() {
        takenOverAt = world.sim.now();
        world.log.detachBackup();
        SimStackHost host = backup[0];
        // Step 3: the service address, announced by gratuitous ARP: three 20 ms apart, and one a
        // second for five seconds (as keepalived repeats them), since a client that misses them
        // all keeps sending to the dead primary's MAC until its ARP entry expires.
        host.takeOver(PrimaryWorld.SERVICE_ADDRESS, 3, 20 * MS);
        host.call(() -> host.ethernet().sendGratuitousArp(PrimaryWorld.SERVICE_ADDRESS, 6, SECOND, host.now()));
        binding = new SimLiveBinding(host, world.tcp, application.clocks::tsOffset,
                // A CONNECT the backup acknowledged, or one from a catch-up (stable while the primary served unprotected), had its SYN-ACK sent.
                t -> application.connectLsn(t) > Math.max(world.log.ackedLsn(), world.log.rejoinedAt()), this::postPump);
        if (TRACE_PORT > 0) System.out.println((takenOverAt / 1000) + "us TAKEOVER; " + application.images());
        try {
            if (!catchUpComplete.getAsBoolean()) application.restoreNoneKnownNow("the primary was lost during this backup's catch-up");
            else if (staleCopy) application.restoreNoneKnownNow("the primary was found gone over a claim window after it was last heard");
            application.takeOver(binding);
            // The real takeover's resets of the clients of connections not restored (diverged,
            // or known from an incomplete catch-up, by their records or only by the roster),
            // their rounds driven by the scheduler.
            List<ClientResets.Target> targets = new ArrayList<>();
            List<ConnectionImage> notRestored = new ArrayList<>(application.divergedImages());
            notRestored.addAll(binding.endedByTheStack);
            for (ConnectionImage image : notRestored) {
                ClientResets.Target t = ClientResets.Target.of(image);
                if (t != null) targets.add(t);
            }
            if (!catchUpComplete.getAsBoolean()) {
                for (RosterEntry e : world.log.roster()) targets.add(ClientResets.Target.of(e));
            }
            resets = new ClientResets(targets);
            host.call(() -> resets.begin(host.ip(), host.now()));
            scheduleResetRound(host);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            takeoverFailure = e.toString();
            throw e;
        }
    }

    private void scheduleResetRound(SimStackHost host) {
        long at = resets.nextRoundAt();
        if (at == Long.MAX_VALUE) return;
        host.after(Math.max(0, at - host.now()), () -> {
            host.call(() -> resets.round(host.ip(), host.now()));
            scheduleResetRound(host);
        });
    }

    private void postPump() {
        if (pumpPosted) return;
        pumpPosted = true;
        backup[0].post(() -> {
            pumpPosted = false;
            application.pump();
        });
    }

    boolean clientsFinished() {
        for (ConnectionApp app : transfers.clients) {
            if (!complete(app) && app.failure() == null && (app.closeReason() == null || app.closeReason() == io.fttcp.stack.tcp.CloseReason.CLOSED)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Was a reset from the service delivered to this client while its connection was open? (By
     * connection: two client hosts may use the same port, and a port alone once blamed one
     * client for another's reset.)
     */
    boolean resetReached(ConnectionApp client) {
        return clientsReset.contains(client);
    }

    private ConnectionApp clientOf(ByteBuffer frame) {
        FourTuple t = ServiceFrames.serverTuple(frame);
        for (ConnectionApp app : transfers.clients) {
            if (app.connection() != null && app.connection().tuple().localPort() == t.remotePort()
                    && app.connection().tuple().localAddress() == t.remoteAddress()) {
                return app;
            }
        }
        return null;
    }

    private static boolean isOver(TcpState s) {
        return s == TcpState.TIME_WAIT || s == TcpState.CLOSED;
    }

    /**
     * A client connection is complete once its application has all its data and has closed, and
     * the connection closed in order or waits in TIME-WAIT (both FINs exchanged and acknowledged;
     * the wait itself, 2 MSL, need not be simulated).
     */
    /**
     * After a takeover: every client stream byte-exact; every client done and closed in order,
     * never reset by the service, except one that cancelled (its own RST) or whose server refused
     * its upload (reset by it, or ended in order from a backup that restored it: either way it
     * ended); no client host sent an RST but for its cancels (a refused client's host answers
     * what a backup that restored it sends after the primary's RST).
     */
    void checkClients(List<SimStackHost[]> clientHosts, String where) {
        Set<SimStackHost[]> refusedHosts = new HashSet<>();
        for (ConnectionApp app : transfers.clients) {
            assertNull(app.failure(), "client stream not byte-exact: " + app + ", " + where);
            if (transfers.refused(app)) {
                assertTrue(app.isClosed() || complete(app), "a refused client's connection did not end: " + app + " "
                        + app.connection().tcp() + ", " + where);
                refusedHosts.add(transfers.hostOf(app));
                continue;
            }
            assertTrue(app.isDone(), "client did not finish: " + app + ", " + where);
            assertFalse(resetReached(app), "a reset from the service reached a client: " + app + ", " + where);
            if (Transfers.aborted(app)) continue;
            assertTrue(complete(app), "client connection not closed in order: " + app + " " + app.connection().tcp()
                    + " (PAWS rejections " + app.connection().tcp().stats().pawsRejected + "), " + where);
        }
        for (SimStackHost[] c : clientHosts) {
            if (!refusedHosts.contains(c)) {
                assertEquals(transfers.abortResetsOn(c), c[0].connectionResetsSent(), "a client sent a reset (other than its cancels): " + where);
            }
        }
    }

    /** The cancelled and refused connections ({@link #checkClients}): ended by a reset, so their applications may see it. */
    Set<FourTuple> resetOnPurpose() {
        Set<FourTuple> out = transfers.abortedConnections();
        out.addAll(transfers.refusedConnections());
        return out;
    }

    /** The backup's applications: none failed, none saw its connection fail but those reset on purpose. */
    void checkBackupServices(String where) {
        Set<FourTuple> resetOnPurpose = resetOnPurpose();
        for (BackupService s : application.services()) {
            assertNull(s.failure(), "the backup's application: " + where);
            if (!resetOnPurpose.contains(s.tuple)) assertNull(s.resetBy(), "the backup's application saw its connection fail: " + where);
        }
    }

    /**
     * Every connection the backup's application holds has ended on its side. But one its client
     * cancelled need not: its RST, if it lands above our rcv_nxt (a segment of the client's was
     * lost), draws a challenge ACK (RFC 5961) that the client's host answers with an exact RST;
     * should that ACK be lost, nothing more comes, and our side waits (with nothing to send, no
     * timer runs), on Linux as here, until the application gives up. Nor one whose server
     * refused it: the client's RST may fail it under the backup's application before that
     * application has answered and closed it.
     */
    boolean backupDone() {
        Set<FourTuple> resetOnPurpose = resetOnPurpose();
        for (BackupService s : application.services()) {
            if (!s.isDone() && !resetOnPurpose.contains(s.tuple)) return false;
        }
        return true;
    }

    static boolean complete(ConnectionApp app) {
        if (app.connection() == null || !app.isDone()) return false;
        return app.isClosed() ? app.closeReason() == io.fttcp.stack.tcp.CloseReason.CLOSED
                : app.connection().tcp().state() == TcpState.TIME_WAIT;
    }

    /** Which phases the crash found (a census key per phase). */
    List<String> phasesAtCrash() {
        List<String> phases = new ArrayList<>();
        boolean handshake = false, transfer = false, closing = false, done = true;
        for (ConnectionApp app : transfers.clients) {
            if (app.connection() == null) {
                handshake = true; // not even opened yet
                done = false;
                continue;
            }
            TcpState s = app.connection().tcp().state();
            switch (s) {
                case SYN_SENT -> handshake = true;
                case ESTABLISHED -> transfer = true;
                case FIN_WAIT_1, FIN_WAIT_2, CLOSING, CLOSE_WAIT, LAST_ACK -> closing = true;
                default -> { }
            }
            if (!complete(app)) done = false;
        }
        if (world.acceptor.apps().size() < transfers.clients.size()) handshake = true;
        if (handshake) phases.add("handshake");
        if (transfer) phases.add("transfer");
        if (closing) phases.add("closing");
        if (done) phases.add("allDone");
        if (world.primary.ssw().stats().heldPackets > 0) phases.add("segmentsHeld");
        if (world.log.stableLsn() < world.log.lastLsn()) phases.add("recordsUnstable");
        if (world.log.backupImage().lastLsn() < world.log.lastLsn()) phases.add("backupBehind");
        if (laggingBackup) phases.add("laggingBackup");
        return phases;
    }

    /** What the takeover did (census keys): connections restored, restored unaccepted, left to a new handshake, SYN-ACKs repeated, TIME-WAITs. */
    List<String> takeoverPaths() {
        List<String> paths = new ArrayList<>();
        if (binding == null) return paths;
        if (!binding.restored.isEmpty()) paths.add("restored");
        if (!binding.restoredUnaccepted.isEmpty()) paths.add("restoredUnaccepted");
        if (!binding.leftToHandshake.isEmpty()) paths.add("leftToNewHandshake");
        if (!binding.unconfirmedHandshakes.isEmpty()) paths.add("handshakeUnconfirmed");
        if (binding != null && binding.restoredTimeWait > 0) paths.add("restoredTimeWait");
        if (application != null && !application.diverged.isEmpty()) paths.add("diverged");
        return paths;
    }

    String describe() {
        StringBuilder b = new StringBuilder("crash at ").append(crashedAt / MS).append(" ms, takeover at ").append(takenOverAt / MS)
                .append(" ms, now ").append(world.sim.now() / MS).append(" ms; clients ").append(transfers.clients)
                .append("; ").append(application);
        if (binding != null) {
            b.append("; restored ").append(binding.restored).append(", unaccepted ").append(binding.restoredUnaccepted)
                    .append(", left to handshake ").append(binding.leftToHandshake).append(", unconfirmed handshakes ")
                    .append(binding.unconfirmedHandshakes);
        }
        b.append("; log: stable ").append(world.log.stableLsn()).append(" of ").append(world.log.lastLsn()).append(", backup holds ")
                .append(world.log.backupImage().lastLsn()).append(", acked ").append(world.log.ackedLsn());
        for (ConnectionApp app : transfers.clients) {
            if (!app.isClosed() && app.connection() != null) b.append("\n  ").append(app).append(": ").append(app.connection().tcp());
        }
        return b.toString();
    }
}
