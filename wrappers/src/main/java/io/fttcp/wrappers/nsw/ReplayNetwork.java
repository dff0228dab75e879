package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup's north-side wrapper: the application's {@link Network}, fed by the primary's
 * records instead of a live network, so the backup's copy of the application follows the
 * primary's execution (DESIGN.md §3). The replication receiver calls {@link #apply} with every
 * record in LSN order; the application's calls block until their record has arrived:
 * <ul>
 *   <li>accept() returns the connection of the listener's next ACCEPT record;</li>
 *   <li>read() returns exactly the logged count, copying those bytes from the client's stream
 *       rebuilt from SEGMENT records (waiting until they are there), or replays the logged
 *       end of stream or failure;</li>
 *   <li>write() accepts exactly the logged count (the rest of the buffer stays for the next
 *       call, so partial writes repeat), keeps the bytes above the client's last known
 *       acknowledgement, and compares the logged hash: on a mismatch the connection is
 *       <em>diverged</em> (reported to the {@link DivergenceListener}; later writes on it fail);</li>
 *   <li>poll() returns the logged READY result; {@link #runtime()} returns the logged clocks and
 *       seeds, each to the thread working on the connection the primary's thread worked on;</li>
 *   <li>CLOSE records replay nothing (the application's own close is deterministic) but tell the
 *       takeover where the primary's FIN is ({@link ConnectionImage#primaryFinOffset()}).</li>
 * </ul>
 * Records are queued per socket and direction (reads, writes), per listener and per poller, so
 * the application's threads consume them independently, each in its own order. Blocking and
 * non-blocking modes replay alike: every call consumes one record (a non-blocking call that
 * found nothing on the primary logged that too); read timeouts are not applied, since a
 * timeout on the primary is a logged result.
 *
 * <p>At takeover, {@link #goLive} switches every socket to a live one; see there.
 *
 * <p>Limits: applications must listen on explicit ports (a listener is matched to its records
 * by address); outbound connections are not replayed (connect() fails until takeover, then
 * goes to the live network); CLOCK and SEED values are handed out per connection (the one the
 * calling thread works on, see {@link ThreadConnections}) in log order, so threads sharing a
 * connection, or threads working on none, share one queue and must not read the runtime
 * concurrently.
 */
public final class ReplayNetwork implements Network {

    private final ReentrantLock lock = new ReentrantLock();
    private final DivergenceListener divergence;
    /** The current incarnation of each four-tuple (from its latest CONNECT). */
    private final Map<FourTuple, ReplayConnection> connections = new HashMap<>();
    /** Every incarnation still of interest (current ones, and older ones the application still holds). */
    private final Set<ReplayConnection> known = new LinkedHashSet<>();
    /** The bytes of the READ records queued and not yet replayed ({@link #lagBytes}); written under the lock. */
    private volatile long pendingReadBytes;
    /** See {@link #whenLagFallsTo}. */
    private volatile long lagBound = Long.MAX_VALUE;
    private volatile Runnable lagFell = () -> { };
    /** Finished connections, latest last (see {@link #forgetIfFinished}). */
    private final java.util.SequencedMap<FourTuple, ReplayConnection> lingering = new java.util.LinkedHashMap<>();
    private static final int MAX_LINGERING = 4096;
    private final Map<FourTuple, ReplayListenerQueue> listeners = new HashMap<>();
    private final Map<Integer, ReplayPollerQueue> pollers = new HashMap<>();
    private final List<ReplayListeningSocket> openListeners = new ArrayList<>();
    private final ThreadConnections threads = new ThreadConnections();
    private final ReplayRuntime runtime;
    private int pollerCount;
    private long recordsIgnored;
    private LiveBinding binding;
    /** A record the application consumes (not CONNECT, SEGMENT or HEARTBEAT) was applied: a CHECKPOINT now is not the first. */
    private boolean determinantSeen;
    /** The CHECKPOINT a recovery starts from (the first determinant of the stream), or null. */
    private Checkpoint initialCheckpoint;
    private boolean initialTaken;
    /** Later CHECKPOINT records, each matched with the application's own checkpoint() call. */
    private final java.util.ArrayDeque<Checkpoint> checkpoints = new java.util.ArrayDeque<>();
    private final java.util.concurrent.locks.Condition checkpointChanged = lock.newCondition();
    private long checkpointMismatches;
    /** Why no connection known at takeover may be restored (see {@link #restoreNoneKnown}), or null. */
    private String noneRestoredBecause;
    /** The connections {@link #restoreNoneKnownNow} named (null: {@link #restoreNoneKnown} decides at takeover). */
    private Set<ReplayConnection> noneRestored;

    public ReplayNetwork(DivergenceListener divergence) {
        this.divergence = divergence;
        this.runtime = new ReplayRuntime(this);
    }

    /** The application's clocks and seeds: logged values until takeover, then real ones. */
    public AppRuntime runtime() {
        return runtime;
    }

    /**
     * Applies the next record of the stream (LSN order). Thread-safe; never blocks on the
     * application. Records naming a connection without a CONNECT are counted in
     * {@link #recordsIgnored()} and otherwise ignored.
     *
     * @throws IllegalStateException after {@link #goLive}
     */
    public void apply(Record record) {
        lock.lock();
        try {
            if (binding != null) {
                throw new IllegalStateException("records applied after takeover: " + record);
            }
            if (!(record instanceof Connect || record instanceof Segment || record instanceof Heartbeat || record instanceof Checkpoint)
                    && !determinantSeen) {
                determinantArrived();
            }
            switch (record) {
                case Connect c -> {
                    lingering.remove(c.tuple());
                    ReplayConnection conn = new ReplayConnection(c.tuple(), c, lock, !determinantSeen);
                    connections.put(c.tuple(), conn);
                    known.add(conn);
                }
                case Segment s -> {
                    ReplayConnection conn = connections.get(s.tuple());
                    if (conn == null) {
                        recordsIgnored++;
                    } else {
                        conn.onSegment(s);
                        forgetIfFinished(conn);
                    }
                }
                case Accept a -> {
                    ReplayListenerQueue queue = listenerQueue(a.listener());
                    if (a.connection().equals(SocketNames.NO_CONNECTION)) {
                        queue.add(null);
                    } else {
                        ReplayConnection conn = connections.get(a.connection());
                        if (conn == null) { // accepted without a logged handshake: reads cannot be served
                            conn = new ReplayConnection(a.connection(), null, lock, false);
                            connections.put(a.connection(), conn);
                            known.add(conn);
                            recordsIgnored++;
                        }
                        conn.accepted = true;
                        queue.add(conn);
                    }
                }
                case Read r -> {
                    ReplayConnection conn = connections.get(r.connection());
                    if (conn == null) {
                        recordsIgnored++;
                    } else {
                        conn.reads.add(r);
                        pendingReadBytes += bytesOf(r);
                        dropUnconsumable(conn);
                        conn.changed.signalAll();
                    }
                }
                case Write w -> {
                    ReplayConnection conn = connections.get(w.connection());
                    if (conn == null) {
                        recordsIgnored++;
                    } else {
                        conn.writes.add(w);
                        conn.onPrimaryWrite(w);
                        dropUnconsumable(conn);
                        conn.changed.signalAll();
                    }
                }
                case Ready r -> pollerQueue(r.poller()).add(r);
                case Clock c -> runtime.add(c);
                case Seed s -> runtime.add(s);
                case Close c -> {
                    // The application's own close is deterministic: nothing to replay. But from
                    // now on the primary may have sent its FIN, so takeover must queue it.
                    ReplayConnection conn = connections.get(c.socket());
                    if (conn != null && c.how() != Close.How.SHUTDOWN_INPUT) {
                        conn.primaryShutOutput = true;
                    }
                    if (conn != null && c.how() == Close.How.RESET) {
                        conn.givenUp = true; // our side ended it (a takeover, the primary's stack): never restored, nor reset again
                        forgetIfFinished(conn);
                    }
                }
                case Checkpoint c -> {
                    if (!determinantSeen) {
                        restoreConnections(c);
                        determinantArrived();
                    } else {
                        checkpoints.add(c);
                        checkpointChanged.signalAll();
                    }
                }
                case Heartbeat h -> {
                    for (Heartbeat.TsVal t : h.maxTsVals()) {
                        ReplayConnection conn = connections.get(t.connection());
                        if (conn != null) {
                            conn.primaryMaxTsVal = t.tsVal();
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first record the application consumes arrived (lock held): the stream is not, or no
     * longer, what retention kept below a checkpoint, so client streams read sequence numbers
     * nearest their contiguous end from now on.
     */
    private void determinantArrived() {
        determinantSeen = true;
        for (ReplayConnection c : known) {
            c.input.endChaining();
        }
        checkpointChanged.signalAll();
    }

    /**
     * The first determinant of the stream is a CHECKPOINT: a recovery starting there, or a
     * primary whose application checkpointed before anything else. Its connections continue
     * from their entries (lock held). An entry whose connection has no CONNECT here is ignored;
     * one that cannot be continued (its read offset lies beyond the client's FIN, or it lacks
     * output the client has not acknowledged) marks its connection diverged, so takeover resets it.
     */
    private void restoreConnections(Checkpoint c) {
        initialCheckpoint = c;
        for (Checkpoint.Entry e : c.connections()) {
            ReplayConnection conn = connections.get(e.connection());
            if (conn == null) {
                recordsIgnored++;
                continue;
            }
            String problem = conn.restoreFrom(e);
            if (problem != null && markDiverged(conn, problem)) {
                ReplayConnection diverged = conn;
                String reason = problem;
                Thread.ofVirtual().start(() -> reportDivergence(diverged, reason)); // never call out with the lock held
            }
            forgetIfFinished(conn);
        }
    }

    /**
     * {@link AppRuntime#restore}: waits until the stream shows whether it starts at a checkpoint
     * (its first determinant arrived, or takeover came first); if so, and no one took it yet,
     * hands the application its state and a socket per connection it held open, on the calling
     * thread, which continues with the checkpoint's connection as its context.
     */
    boolean restore(io.fttcp.api.Checkpointable application) throws IOException {
        Checkpoint c;
        Map<String, StreamSocket> sockets = new java.util.LinkedHashMap<>();
        lock.lock();
        try {
            while (initialCheckpoint == null && !determinantSeen && binding == null) {
                try {
                    checkpointChanged.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the first record");
                }
            }
            if (initialCheckpoint == null || initialTaken) {
                return false;
            }
            initialTaken = true;
            c = initialCheckpoint;
            for (Checkpoint.Entry e : c.connections()) {
                ReplayConnection conn = connections.get(e.connection());
                if (!e.closed() && conn != null) {
                    ReplayStreamSocket socket = new ReplayStreamSocket(this, conn);
                    sockets.put(runtime.connectionName(socket), socket);
                }
            }
            threads.use(c.context());
        } finally {
            lock.unlock();
        }
        application.restore(c.state().clone(), java.util.Collections.unmodifiableMap(sockets));
        return true;
    }

    /**
     * {@link AppRuntime#checkpoint} on a replica: the application's call is matched with the
     * primary's next CHECKPOINT record (waiting for it, as every replayed call waits for its
     * record) and checked against it: the same state, and the same stream offsets for every
     * connection it holds. A difference is counted ({@link #checkpointMismatches()}). After
     * takeover, with no record left: when the new primary logs ({@link LoggingLiveBinding}), a
     * CHECKPOINT of its own, with the replayed connections' entries as the application sees them
     * ({@link #liveEntries}) and those of the connections accepted since; otherwise nothing is
     * recorded (false).
     */
    boolean replayCheckpoint(byte[] state) {
        Checkpoint.checkStateSize(state); // as the primary's did, before logging anything
        lock.lock();
        try {
            while (checkpoints.isEmpty() && binding == null) {
                checkpointChanged.awaitUninterruptibly();
            }
            Checkpoint c = checkpoints.poll();
            if (c == null) {
                return binding.network() instanceof LoggingNetwork logging && logging.checkpoint(state, liveEntries());
            }
            boolean same = java.util.Arrays.equals(state, c.state());
            for (Checkpoint.Entry e : c.connections()) {
                ReplayConnection conn = connections.get(e.connection());
                if (conn != null && conn.accepted && !conn.closed && !e.closed()
                        && (conn.input.readOffset() != e.readOffset() || conn.outputOffset != e.outputOffset())) {
                    same = false;
                }
            }
            if (!same) {
                checkpointMismatches++;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After takeover, the entries of the replayed connections the application holds (lock
     * held): its read offset (logged bytes it consumed, then live reads), its output offset, and
     * the restored connection's copy of its output (the restored send queue, then what went out).
     */
    private List<Checkpoint.Entry> liveEntries() {
        List<Checkpoint.Entry> entries = new ArrayList<>();
        for (ReplayConnection c : known) {
            if (!c.accepted || c.connect == null || connections.get(c.tuple) != c) {
                continue;
            }
            long read = c.input.readOffset();
            LoggingStreamSocket.OutputCopy copy = new LoggingStreamSocket.OutputCopy(c.outputOffset, new byte[0]);
            if (c.live instanceof LoggingStreamSocket l) {
                read += l.readOffset();
                copy = l.outputCopyTo(c.outputOffset);
            }
            entries.add(new Checkpoint.Entry(c.tuple, read, c.outputOffset, c.outputShut, c.closed, copy.start(), copy.bytes()));
        }
        return entries;
    }

    /** Checkpoints of the application that differed from the primary's (state or stream offsets). */
    public long checkpointMismatches() {
        lock.lock();
        try {
            return checkpointMismatches;
        } finally {
            lock.unlock();
        }
    }

    /** Connections the replay follows now (finished ones, lingering, not counted). */
    public int connectionCount() {
        lock.lock();
        try {
            return connections.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Determinants received but not yet consumed by the application (READ, WRITE, ACCEPT, READY,
     * CLOCK, SEED records queued): how far the backup's application lags behind the log.
     */
    public int pendingDeterminants() {
        lock.lock();
        try {
            int n = runtime.pending() + checkpoints.size() + (initialCheckpoint != null && !initialTaken ? 1 : 0);
            for (ReplayConnection c : known) {
                n += c.reads.size() + c.writes.size();
            }
            for (ReplayListenerQueue q : listeners.values()) {
                n += q.size();
            }
            for (ReplayPollerQueue q : pollers.values()) {
                n += q.ready.size();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Client bytes the primary's application has read and this one has not yet (the counts of
     * the READ records still to replay): how far this application lags behind the primary's.
     */
    public long lagBytes() {
        return pendingReadBytes;
    }

    /**
     * Runs {@code action} each time the lag ({@link #lagBytes}) falls from above {@code bound} to
     * or below it (a replayed read, or records dropped that nobody will replay): the owner holding
     * its acknowledgements while the lag is over the bound learns at once that the hold may end.
     * It runs under the replay's lock, on the application's thread, the channel's or the
     * takeover's, so it must only signal: never block, never throw (the read it is part of is half
     * replayed).
     */
    public void whenLagFallsTo(long bound, Runnable action) {
        lagFell = action;
        lagBound = bound;
    }

    /** Takes the connection's next logged read off its queue to replay it (lock held). */
    Read takeRead(ReplayConnection c) {
        Read r = c.reads.poll();
        lagLess(bytesOf(r));
        return r;
    }

    /** The lag fell by {@code bytes} (lock held): the owner is told if it fell to its bound. */
    private void lagLess(long bytes) {
        long before = pendingReadBytes;
        long after = before - bytes;
        pendingReadBytes = after;
        long bound = lagBound;
        if (before > bound && after <= bound) {
            lagFell.run();
        }
    }

    /**
     * Drops the records of {@code c} the application will never consume (lock held): all of them
     * once it closed its socket, the writes once the connection diverged (a diverged socket's
     * writes fail). They would otherwise count as determinants still to replay, and every
     * takeover would wait out its drain limit for them (5 s for every client), and as lag, which
     * holds the primary back. A closed socket with writes left is diverged: the primary's
     * application went on writing after this one closed.
     */
    void dropUnconsumable(ReplayConnection c) {
        if (c.closed) {
            if (c.divergence == null && !c.writes.isEmpty()) {
                // The primary's application wrote on after this one closed: output the client may
                // hold that this replica never produces (reads left over are harmless: a thread's
                // read racing another's close ends differently on each, and nothing follows from it).
                String reason = "out of step with the primary: closed with " + c.writes.size() + " of the primary's write(s) still to replay";
                c.divergence = reason;
                Thread.ofVirtual().start(() -> reportDivergence(c, reason)); // never call out with the lock held
            }
            long bytes = 0;
            for (Read r : c.reads) bytes += bytesOf(r);
            c.reads.clear();
            c.writes.clear();
            lagLess(bytes);
        } else if (c.isDiverged()) {
            c.writes.clear();
        }
    }

    /** The client bytes a logged read consumed (none for an end of stream or a failure). */
    private static int bytesOf(Read r) {
        return Math.max(0, r.count());
    }

    /** Records that named a connection or socket the backup does not know. */
    public long recordsIgnored() {
        lock.lock();
        try {
            return recordsIgnored;
        } finally {
            lock.unlock();
        }
    }

    /** A snapshot of every connection the backup knows, in CONNECT order. */
    public List<ConnectionImage> images() {
        lock.lock();
        try {
            List<ConnectionImage> images = new ArrayList<>();
            for (ReplayConnection c : known) {
                images.add(c.image());
            }
            return images;
        } finally {
            lock.unlock();
        }
    }

    /** The snapshot of the current incarnation of {@code tuple}, or null. */
    public ConnectionImage image(FourTuple tuple) {
        lock.lock();
        try {
            ReplayConnection c = connections.get(tuple);
            return c == null ? null : c.image();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takeover: the backup becomes the server. Call once, after the last {@link #apply} (every
     * record received has been applied), best once the application has consumed them too
     * ({@link #pendingDeterminants()} is 0, DESIGN.md §4 step 1): the images then hold all its
     * replayed output, and its close if the primary's is logged. With the lock held, in this order:
     * <ol>
     *   <li>every open replay listener gets a live listener on its address from
     *       {@code binding.network()};</li>
     *   <li>every known connection is snapshotted: if an ACCEPT named it, {@link LiveBinding#restore}
     *       gives its live socket (closed at once if the application had closed its socket: the
     *       stack then sends what is left and the FIN); otherwise {@link LiveBinding#restoreUnaccepted} puts it in the
     *       backlog of the live listener on its port (if there is one);</li>
     *   <li>the runtime's monotonic clock is shifted to continue above the last logged value;</li>
     *   <li>every blocked call wakes.</li>
     * </ol>
     * Afterwards each socket first serves the records still queued (the application consumes
     * every logged determinant), then goes live: reads return the logged client bytes not yet
     * read, then read the live socket; writes go to the live socket, except bytes below the
     * client's acknowledgement or below what the restored send queue already holds, which are
     * dropped (the application is behind). Listeners and pollers do the same with their live
     * counterparts; the runtime returns real values.
     */
    public void goLive(LiveBinding binding) throws IOException {
        lock.lock();
        try {
            if (this.binding != null) {
                throw new IllegalStateException("already live");
            }
            this.binding = binding;
            if (binding.network() instanceof LoggingNetwork logging) {
                logging.shareThreads(threads); // runtime values logged from now on keep the replayed contexts
            }
            Map<Integer, ListeningSocket> liveByPort = new HashMap<>();
            for (ReplayListeningSocket l : openListeners) {
                ListeningSocket live = binding.network().listen(l.localAddress(), l.backlog());
                l.goLive(live);
                liveByPort.put(l.localAddress().getPort(), live);
            }
            List<ReplayConnection> all = new ArrayList<>(known);
            for (ReplayConnection c : lingering.values()) {
                if (!connections.containsKey(c.tuple)) all.add(c); // a later incarnation of its tuple wins
            }
            for (ReplayConnection c : all) {
                if (noneRestoredBecause != null && (noneRestored == null ? known.contains(c) : noneRestored.contains(c))) {
                    markDiverged(c, noneRestoredBecause);
                }
                ConnectionImage image = c.image();
                // Only the latest incarnation of a four-tuple exists for the client; an older one
                // the application still holds is not restored (its socket then fails as reset),
                // nor is one our side ended (an earlier takeover, or the old primary's stack),
                // whose client is reset in case the RST that ended it never reached it.
                boolean latest = connections.get(c.tuple) == c || !connections.containsKey(c.tuple);
                boolean current = !c.givenUp && latest;
                if (c.givenUp && latest && c.accepted && image.connect() != null) binding.resetClient(image);
                if (c.accepted) {
                    // Diverged ones too: the binding refuses and resets them.
                    StreamSocket live = image.connect() == null || !current ? null : binding.restore(image);
                    if (live != null && c.closed) {
                        live.close(); // the application let go of it already: the stack finishes the close
                    }
                    c.live = live;
                    c.liveSendStart = Math.max(image.clientAckedOffset(), image.appOutputOffset());
                    c.wentLive = true;
                    c.output.discardBefore(c.output.end());
                } else {
                    ListeningSocket listener = liveByPort.get(c.tuple.localPort());
                    if (listener != null && image.connect() != null && current) {
                        binding.restoreUnaccepted(image, listener);
                    }
                }
                c.changed.signalAll();
            }
            runtime.goLive();
            checkpointChanged.signalAll();
            for (ReplayListenerQueue q : listeners.values()) {
                q.changed.signalAll();
            }
            for (ReplayPollerQueue q : pollers.values()) {
                q.changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The records applied are incomplete (a catch-up that broke off with the primary): at
     * takeover none of the connections they name is restored, and the binding resets their
     * clients ({@link LiveBinding#restore} is handed them as diverged, {@code why} their reason).
     * A connection restored from part of its records would be behind its client: an upload's
     * client never resends bytes the old primary acknowledged, and waits for its own timeout
     * (minutes) instead of a reset now. Decided at {@link #goLive}, so that a record the channel
     * was still applying when the primary was found lost counts too. Connections already finished
     * (lingering) are restored as usual: records arrive in LSN order, so a connection whose
     * closes arrived has all its records.
     */
    public void restoreNoneKnown(String why) {
        lock.lock();
        try {
            noneRestoredBecause = why;
            noneRestored = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #restoreNoneKnown}, for the connections known now only: a recovery whose records
     * are incomplete up to an LSN (a logger's generation that a catch-up failed to replace, see
     * {@code FrameKind.INCOMPLETE}) calls this once it has applied them; the connections named
     * after it (a server recovered meanwhile served them) are restored as usual.
     */
    public void restoreNoneKnownNow(String why) {
        lock.lock();
        try {
            noneRestoredBecause = why;
            noneRestored = new HashSet<>(known);
        } finally {
            lock.unlock();
        }
    }

    /** True after {@link #goLive}. */
    public boolean isLive() {
        lock.lock();
        try {
            return binding != null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        FourTuple name = SocketNames.listener(local);
        lock.lock();
        try {
            if (binding != null) {
                return binding.network().listen(local, backlog);
            }
            if (local.getPort() == 0) {
                throw new IOException("a replayed application must listen on an explicit port, not " + local);
            }
            ReplayListeningSocket socket = new ReplayListeningSocket(this, name, local, backlog, listenerQueue(name));
            openListeners.add(socket);
            return socket;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        return liveNetwork("connect to " + remote).connect(remote);
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        return liveNetwork("connect to " + remote).openConnection(remote);
    }

    private Network liveNetwork(String what) throws IOException {
        lock.lock();
        try {
            if (binding == null) {
                throw new IOException("cannot " + what + " on the backup before takeover: outbound connections are not protected");
            }
            return binding.network();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Poller openPoller() {
        lock.lock();
        try {
            int number = pollerCount++;
            return new ReplayPoller(this, number, pollerQueue(number));
        } finally {
            lock.unlock();
        }
    }

    // ---- for the sockets -----------------------------------------------------------------

    ReentrantLock lock() {
        return lock;
    }

    /** Which connection each application thread works on: where its runtime values come from. */
    ThreadConnections threads() {
        return threads;
    }

    /** The live binding, or null before takeover (lock held). */
    LiveBinding binding() {
        return binding;
    }

    /**
     * After takeover, the runtime that logs the values handed out live, when the binding's
     * network is a {@link LoggingNetwork} (the new primary is protected), else null (lock held).
     */
    LoggingRuntime liveLog() {
        return binding != null && binding.network() instanceof LoggingNetwork logging ? logging.loggingRuntime() : null;
    }

    /** After takeover, the live poller behind replayed poller {@code number}: its READY records keep that number (lock held). */
    Poller openLivePoller(int number) throws IOException {
        return binding.network() instanceof LoggingNetwork logging ? logging.openPoller(number) : binding.network().openPoller();
    }

    void listenerClosed(ReplayListeningSocket socket) {
        openListeners.remove(socket);
    }

    /** Marks {@code c} diverged (lock held); returns true the first time, when the caller must report it. */
    boolean markDiverged(ReplayConnection c, String reason) {
        if (c.divergence != null) {
            return false;
        }
        c.divergence = reason;
        dropUnconsumable(c);
        return true;
    }

    /** Reports a divergence; called without the lock. */
    void reportDivergence(ReplayConnection c, String reason) {
        divergence.diverged(c.tuple, reason);
    }

    /**
     * Drops a connection both sides have closed (lock held). It lingers a while, as TCP's
     * TIME-WAIT does: the client may not have our ACK of its FIN yet and send the FIN again,
     * which the restored connection must answer rather than reset. Bounded by count.
     */
    void forgetIfFinished(ReplayConnection c) {
        if (binding == null && c.finished()) {
            dropUnconsumable(c); // a finished connection is closed: nothing of it is replayed any more, nor a lag
            known.remove(c);
            if (connections.remove(c.tuple, c)) {
                lingering.put(c.tuple, c);
                if (lingering.size() > MAX_LINGERING) lingering.pollFirstEntry();
            }
        }
    }

    private ReplayListenerQueue listenerQueue(FourTuple name) {
        return listeners.computeIfAbsent(name, n -> new ReplayListenerQueue(lock.newCondition()));
    }

    private ReplayPollerQueue pollerQueue(int number) {
        return pollers.computeIfAbsent(number, n -> new ReplayPollerQueue(lock.newCondition()));
    }

    @Override
    public String toString() {
        return "replay network";
    }
}
