package io.fttcp.roles.sim;

import io.fttcp.link.ethernet.Ipv4Text;
import io.fttcp.sim.SimHost;
import io.fttcp.sim.Simulation;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.RecordSink;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A simulation with a protected primary and a simulated backup: the primary host (its own
 * address 10.0.0.1, the service address 10.0.0.100, protected port {@link #PORT}) runs a
 * stack behind the south-side wrapper ({@link SimPrimaryHost}), the test's server
 * applications on {@link LoggedSockets}, and logs into a {@link SimReplicationLink}; ordinary
 * client stacks ({@code SimStackHost}) on the same segment reach the service. A
 * {@link PromiseChecker} sees every frame the primary sends and every frame a client receives.
 */
final class PrimaryWorld {
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;
    static final int PORT = 5001;
    static final int PRIMARY_ADDRESS = ip(1);
    static final int SERVICE_ADDRESS = ip(100);

    final Simulation sim;
    /** The test's own choices, split before any host exists. */
    final SplittableRandom choices;
    final TcpConfig tcp;
    final ProtectedService service = new ProtectedService(SERVICE_ADDRESS, PORT);
    final SimReplicationLink log;
    final SimHost primaryHost;
    SimPrimaryHost primary;
    LoggedSockets sockets;
    PromiseChecker checker;
    ServiceAcceptor acceptor;
    private final Set<SimPort> clientPorts = new HashSet<>();
    /** Investigation aid: the world built last (tests run one at a time in this module). */
    static PrimaryWorld latest;

    /**
     * @param replication one-way delay, jitter and the backup's maximum acknowledgement delay (ns)
     */
    PrimaryWorld(long seed, LinkConditions primaryLink, long[] replication, Function<Connection, ? extends ServiceApp> appFor) {
        this(seed, primaryLink, replication, appFor, UnaryOperator.identity());
    }

    /**
     * @param wrapperView what the south-side wrapper is given of the replication stream (the
     *                    stream itself, or for negative controls a view that lies about stability)
     */
    PrimaryWorld(long seed, LinkConditions primaryLink, long[] replication, Function<Connection, ? extends ServiceApp> appFor,
                 UnaryOperator<RecordSink> wrapperView) {
        latest = this;
        this.sim = new Simulation(seed);
        this.choices = sim.newRandom();
        this.tcp = serverTcp(seed);
        this.log = new SimReplicationLink(sim.scheduler(), sim.newRandom(), replication[0], replication[1], replication[2]);
        this.primaryHost = sim.addHost("primary", primaryLink);
        primaryHost.start(life -> {
            primary = new SimPrimaryHost(life, tcp, PRIMARY_ADDRESS, service, wrapperView.apply(log), (frame, now) -> {
                if (checker != null) checker.sent(frame, now);
            });
            sockets = new LoggedSockets(primary, log);
            checker = new PromiseChecker(service, log, sockets);
            log.onStable(primary::stable);
            acceptor = new ServiceAcceptor(primary, sockets, PORT, 64, appFor);
        });
        SimPort primaryPort = primaryHost.port();
        sim.network().addObserver(new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (from == primaryPort && clientPorts.contains(to)) checker.delivered(frame, now);
            }
        });
    }

    /**
     * The replicas' TCP (both read one configuration): patient, and for one seed in four with
     * smaller buffers (16 KiB to 4 MiB each way, drawn apart from the simulation's own randomness),
     * so the primary's advertised window (widened by the wrapper's clamping) and the writes its
     * applications get accepted, partial ones among them, are small too.
     */
    static TcpConfig serverTcp(long seed) {
        TcpConfig t = patientTcp();
        SplittableRandom r = new SplittableRandom(seed ^ 0x3C6E_F372_FE94_F82BL);
        if (r.nextInt(4) != 0) return t;
        int[] sizes = {16 * 1024, 64 * 1024, 256 * 1024, 4 << 20};
        return t.withBuffers(sizes[r.nextInt(sizes.length)], sizes[r.nextInt(sizes.length)]);
    }

    /** Default TCP with more retries: at several percent loss, long runs of lost handshakes happen and are no bug. */
    static TcpConfig patientTcp() {
        return TcpConfig.defaults().withRetries(12, 15);
    }

    static int ip(int last) {
        return Ipv4Text.parse("10.0.0." + last);
    }

    /** A client host 10.0.0.{@code last} with an ordinary stack (see {@link #varyClientOptions}). */
    SimStackHost[] addClient(String name, int last, LinkConditions conditions) {
        SimHost host = sim.addHost(name, conditions);
        clientPorts.add(host.port());
        SimStackHost[] current = new SimStackHost[1];
        TcpConfig clientTcp = clientTcp(last);
        host.start(life -> current[0] = new SimStackHost(life, clientTcp, ip(last)));
        return current;
    }

    /** Whether some bulk clients cancel their transfer with an RST ({@link #varyClientAborts}). */
    private boolean clientAborts;

    /**
     * From now on (with {@link #varyClientOptions}) one bulk client in twelve cancels its
     * download part way (an RST, as a user does), drawn from its plan's seed: the takeover must
     * then refuse or give up that connection and carry the others on.
     */
    void varyClientAborts() {
        clientAborts = true;
    }

    /**
     * With {@link #varyClientAborts}: one bulk plan in twelve has its server refuse the upload
     * part way ({@link Transfers.Plan#refusingAfter}: it answers and closes with the rest unread,
     * its stack resets the client), drawn from the plan's seeds, apart from the simulation's own
     * randomness. The plan itself otherwise.
     *
     * <p>A refused upload is {@link #REFUSED_UPLOAD} long, more than every buffer on its way
     * takes, so its client is still sending when refused and each of its retransmissions or
     * window probes draws an RST anew. A client that has sent everything and waits (an HTTP
     * request) learns of the refusal from the RST alone, and if every RST to it is lost waits for
     * good, protected or not (TCP does not repeat an RST): the seeds cannot tell that from a
     * defect, so {@code ServerRefusalAcrossTakeoverTest} covers such a client across a crash, on a
     * lossless link.
     */
    Transfers.Plan serverRefusal(Transfers.Plan plan) {
        if (!clientAborts || plan.requests() != null || plan.upBytes() < 2) return plan;
        SplittableRandom a = new SplittableRandom(plan.upSeed() ^ 0xA54F_F53A_5F1D_36F1L);
        if (a.nextInt(12) != 0) return plan;
        return new Transfers.Plan(REFUSED_UPLOAD, plan.downBytes(), null, plan.upSeed(), plan.downSeed()).refusingAfter(a.nextLong(0, plan.upBytes()));
    }

    /** See {@link #serverRefusal}: above any send plus receive buffer here (4 MiB at most each). */
    static final long REFUSED_UPLOAD = 16L << 20;

    /** 0: every client offers timestamps, SACK and window scaling; otherwise the seed of each client's draw. */
    private long clientOptionsSeed;

    /**
     * From now on each client offers timestamps, SACK and window scaling each with probability
     * 3/4, drawn apart from the simulation's own randomness (so a seed's other choices stay as
     * they were): not every client is a Linux one (Windows offers no timestamps by default, and
     * middleboxes strip options), and the takeover must restore what the client negotiated.
     */
    void varyClientOptions(long seed) {
        clientOptionsSeed = seed == 0 ? 1 : seed;
    }

    private TcpConfig clientTcp(int last) {
        if (clientOptionsSeed == 0) return tcp;
        SplittableRandom r = new SplittableRandom(clientOptionsSeed * 0x9E37_79B9_7F4A_7C15L + last);
        TcpConfig c = tcp.withOptions(r.nextInt(4) != 0, r.nextInt(4) != 0, r.nextInt(4) != 0);
        int[] smallerMss = {536, 1220, 1400, 1452};
        if (r.nextInt(4) == 0) c = c.withMss(smallerMss[r.nextInt(smallerMss.length)]);
        // A small receive buffer: with a slow reader (below) the window closes and the server probes it.
        int[] smallBuffers = {4 * 1024, 16 * 1024, 64 * 1024};
        return r.nextInt(4) == 0 ? c.withBuffers(smallBuffers[r.nextInt(smallBuffers.length)], c.sendBuffer()) : c;
    }

    /**
     * How a bulk client behaves (while clients vary, {@link #varyClientOptions}), drawn from its
     * plan's seed, apart from the simulation's own randomness: one in four reads at its own pace,
     * 2 to 64 KiB at a time at 256 KiB/s to 8 MiB/s; with {@link #varyClientAborts}, one in twelve
     * cancels its download part way.
     */
    ConnectionApp clientBehaviour(ConnectionApp app, long planSeed) {
        if (clientOptionsSeed == 0 || !(app instanceof BulkEndpoint bulk)) return app;
        if (clientAborts && bulk.expectBytes() > 1) {
            SplittableRandom a = new SplittableRandom(planSeed ^ 0x1405_7B7E_F767_814FL);
            if (a.nextInt(12) == 0) bulk.abortingAfter(a.nextLong(1, bulk.expectBytes()));
        }
        SplittableRandom r = new SplittableRandom(planSeed ^ 0x5851_F42D_4C95_7F2DL);
        if (r.nextInt(4) != 0) return app;
        int quota = r.nextInt(2 * 1024, 64 * 1024 + 1);
        long bytesPerSecond = r.nextLong(256 * 1024, 8 * 1024 * 1024 + 1);
        return bulk.readingAtMost(quota, Math.max(1, quota * 1_000_000_000L / bytesPerSecond));
    }

    /**
     * One bulk server application in four (while clients vary) reads its client's bytes at its
     * own pace, as {@link #clientBehaviour} has clients do, drawn from its plan's other seed.
     */
    ServiceApp serverBehaviour(ServiceApp app, long planSeed) {
        if (clientOptionsSeed == 0 || !(app instanceof BulkService bulk)) return app;
        SplittableRandom r = new SplittableRandom(planSeed ^ 0x2545_F491_4F6C_DD1DL);
        if (r.nextInt(4) != 0) return app;
        int quota = r.nextInt(2 * 1024, 64 * 1024 + 1);
        long bytesPerSecond = r.nextLong(256 * 1024, 8 * 1024 * 1024 + 1);
        return bulk.readingAtMost(quota, Math.max(1, quota * 1_000_000_000L / bytesPerSecond));
    }

    /** The primary's name for a client's connection (local = the service). */
    static FourTuple serverTuple(Connection clientSide) {
        FourTuple t = clientSide.tuple();
        return new FourTuple(t.remoteAddress(), t.remotePort(), t.localAddress(), t.localPort());
    }

    /** A random link: delay 0-20 ms, jitter, loss 0-5%, duplication 0-3%, reordering 0-10%. */
    static LinkConditions randomConditions(SplittableRandom r) {
        LinkConditions c = LinkConditions.ideal()
                .withDelay(r.nextLong(0, 20 * MS + 1))
                .withJitter(r.nextBoolean() ? 0 : r.nextLong(0, 3 * MS + 1))
                .withLoss(r.nextInt(4) == 0 ? 0 : r.nextDouble(0, 0.05))
                .withDuplication(r.nextInt(3) == 0 ? 0 : r.nextDouble(0, 0.03));
        if (r.nextInt(3) != 0) c = c.withReordering(r.nextDouble(0, 0.10), r.nextLong(1, 10 * MS + 1));
        return c;
    }

    /**
     * Replication link settings: one-way delay 0-2 ms with jitter; a prompt backup (acknowledges
     * within 0-5 ms) or, one time in three, a lagging one (0-200 ms).
     */
    static long[] randomReplication(SplittableRandom r) {
        boolean lagging = r.nextInt(3) == 0;
        return new long[] {r.nextLong(0, 2 * MS + 1), r.nextLong(0, MS + 1), lagging ? 200 * MS : r.nextLong(0, 5 * MS + 1)};
    }

    /** A size from 0 to {@code max}, spread evenly over orders of magnitude (sometimes exactly 0). */
    static long randomSize(SplittableRandom r, long max) {
        if (r.nextInt(10) == 0) return 0;
        return Math.min(max, (long) Math.exp(r.nextDouble(0, Math.log(max))));
    }
}
