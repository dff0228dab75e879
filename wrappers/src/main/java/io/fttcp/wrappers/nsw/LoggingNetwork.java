package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Record;
import java.util.List;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The primary's north-side wrapper: the application's {@link Network}, backed by the stack's
 * (or any other) sockets, logging every nondeterministic result as a record (DESIGN.md §3):
 * ACCEPT per accept(), READ per read() (count, 0, -1, or a {@link CallOutcome} failure code),
 * WRITE per write() with offset, count and optional hash, READY per poll(), CLOSE per
 * shutdown/close, CLOCK and SEED per {@link #runtime()} value.
 *
 * <p>Record order is the order the application observed: a record is appended after the call
 * returned and before its result is handed to the application, so anything the application
 * does with a result (including in other threads) comes after the record. Calls on one socket
 * are serialized per direction (reads with reads, writes with writes, like
 * {@link java.nio.channels.SocketChannel}), so a socket's READ records and its WRITE records
 * are each in call order. The backup replays per socket and direction, so this is all it
 * needs; it assumes that within one direction of one socket the application's calls happen in
 * a deterministic order (true for one thread per connection, or a reader and a writer thread).
 *
 * <p>Output commit: before bytes are handed to the stack, the {@link OutputCommitSink} learns
 * which LSN they depend on: the highest LSN this wrapper was given before the call. Every
 * record the application could have observed before the write (its own results, and the
 * client segments behind them, which the south side logged earlier) has an LSN at most that,
 * except the WRITE records of blocking writes that accepted their bytes, which tell the
 * application nothing (see {@link #logCompleteBlockingWrite}).
 *
 * <p>Outbound connections ({@link #connect}, {@link #openConnection}) are not protected: they
 * are the wrapped network's sockets, unlogged.
 */
public final class LoggingNetwork implements Network {

    private final Network inner;
    private final DeterminantLog log;
    private final OutputCommitSink commit;
    private final OutputHashing hashing;
    private final AtomicLong lastLsn = new AtomicLong();
    private final AtomicInteger pollers = new AtomicInteger();
    private volatile ThreadConnections threads = new ThreadConnections();
    private final LoggingRuntime runtime = new LoggingRuntime(this);
    private final int outputCopyLimit;
    /**
     * The connections a checkpoint lists: accepted here and not closed, then, once closed, the
     * latest {@link #CLOSED_REMEMBERED} closed ones (the client may not have their last bytes
     * yet; retention ignores entries of connections it knows are finished). Accept order.
     */
    private final java.util.LinkedHashMap<FourTuple, LoggingStreamSocket> open = new java.util.LinkedHashMap<>();
    private final java.util.LinkedHashMap<FourTuple, LoggingStreamSocket> closed = new java.util.LinkedHashMap<>();
    static final int CLOSED_REMEMBERED = 256;

    public LoggingNetwork(Network inner, DeterminantLog log, OutputCommitSink commit, OutputHashing hashing) {
        this(inner, log, commit, hashing, 0);
    }

    /**
     * A network for a {@link io.fttcp.api.Checkpointable} application: each connection keeps a
     * copy of its latest {@code outputCopyLimit} output bytes, for checkpoints to carry the output
     * a client may not have acknowledged yet. Make it at least the stack's send buffer: the stack
     * accepts bytes only when its send queue (the unacknowledged output and the unsent) has room,
     * so what the client has not acknowledged is always among the latest send-buffer bytes.
     * A checkpoint whose copy does not reach down to the client's acknowledgement in the log is
     * refused by retention (it then keeps the older records).
     */
    public LoggingNetwork(Network inner, DeterminantLog log, OutputCommitSink commit, OutputHashing hashing, int outputCopyLimit) {
        if (outputCopyLimit < 0) {
            throw new IllegalArgumentException("negative output copy limit " + outputCopyLimit);
        }
        this.inner = inner;
        this.log = log;
        this.commit = commit;
        this.hashing = hashing;
        this.outputCopyLimit = outputCopyLimit;
    }

    /** Output bytes each connection keeps a copy of for checkpoints (0: none). */
    public int outputCopyLimit() {
        return outputCopyLimit;
    }

    /**
     * {@link AppRuntime#checkpoint}: logs a CHECKPOINT with the application's state, the calling
     * thread's connection, and an entry per connection accepted here (open, or among the latest
     * closed). The application calls it from its one event-loop thread.
     */
    boolean checkpoint(byte[] state) {
        return checkpoint(state, List.of());
    }

    /**
     * A checkpoint with {@code replayed}: the entries of connections a replayed application holds
     * after takeover ({@link ReplayNetwork}), before those of the connections accepted here; a
     * four-tuple both name is this network's (the newer incarnation).
     */
    boolean checkpoint(byte[] state, List<Checkpoint.Entry> replayed) {
        Checkpoint.checkStateSize(state);
        List<LoggingStreamSocket> sockets;
        synchronized (open) {
            sockets = new java.util.ArrayList<>(open.size() + closed.size());
            sockets.addAll(closed.values());
            sockets.addAll(open.values());
        }
        List<Checkpoint.Entry> entries = new java.util.ArrayList<>(sockets.size());
        java.util.Set<FourTuple> named = new java.util.HashSet<>();
        for (int i = sockets.size() - 1; i >= 0; i--) { // open ones first: a four-tuple reused is named by its latest socket
            LoggingStreamSocket s = sockets.get(i);
            if (named.add(s.name())) {
                entries.add(s.checkpointEntry());
            }
        }
        for (Checkpoint.Entry e : replayed) {
            if (named.add(e.connection())) {
                entries.add(e);
            }
        }
        log(fitted(new Checkpoint(threads.current(), state.clone(), entries)));
        return true;
    }

    /**
     * {@code c}, its largest output copies cut from the front until its frame fits the
     * replication stream's default maximum body. A cut copy may no longer reach down to what the
     * client has acknowledged: retention then refuses the checkpoint (and keeps the older
     * records), which is safe; the record is logged all the same, so a replica's matching
     * checkpoint() call finds it.
     */
    private static Checkpoint fitted(Checkpoint c) {
        long over = io.fttcp.replication.codec.FrameEncoder.bodyLength(c) - io.fttcp.replication.codec.FrameFormat.DEFAULT_MAX_BODY_LENGTH;
        if (over <= 0) {
            return c;
        }
        List<Checkpoint.Entry> entries = new java.util.ArrayList<>(c.connections());
        while (over > 0) {
            int largest = 0;
            for (int i = 1; i < entries.size(); i++) {
                if (entries.get(i).output().length > entries.get(largest).output().length) largest = i;
            }
            Checkpoint.Entry e = entries.get(largest);
            if (e.output().length == 0) {
                break; // nothing left to cut: the stream refuses the record with a clear exception
            }
            int cut = (int) Math.min(e.output().length, Math.max(over, e.output().length / 2));
            byte[] kept = java.util.Arrays.copyOfRange(e.output(), cut, e.output().length);
            entries.set(largest, new Checkpoint.Entry(e.connection(), e.readOffset(), e.outputOffset(), e.outputShut(), e.closed(),
                    e.outputStart() + cut, kept));
            over -= cut;
        }
        return new Checkpoint(c.context(), c.state(), entries);
    }

    void accepted(LoggingStreamSocket socket) {
        synchronized (open) {
            open.put(socket.name(), socket);
        }
    }

    void closed(LoggingStreamSocket socket) {
        synchronized (open) {
            if (open.remove(socket.name(), socket)) {
                closed.remove(socket.name());
                closed.put(socket.name(), socket);
                if (closed.size() > CLOSED_REMEMBERED) {
                    closed.pollFirstEntry();
                }
            }
        }
    }

    /** The application's clocks and seeds, logged as CLOCK and SEED records. */
    public AppRuntime runtime() {
        return runtime;
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        ListeningSocket socket = inner.listen(local, backlog);
        try {
            return new LoggingListeningSocket(this, socket, SocketNames.listener(socket.localAddress()));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        return inner.connect(remote);
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        return inner.openConnection(remote);
    }

    @Override
    public Poller openPoller() throws IOException {
        return openPoller(pollers.getAndIncrement());
    }

    /** A poller whose READY records name it {@code number} (a replayed application's poller going live keeps its number). */
    Poller openPoller(int number) throws IOException {
        return new LoggingPoller(this, inner.openPoller(), number);
    }

    /**
     * Continues logging a connection that was not accepted through this network: one restored
     * at takeover, whose application (replayed until then) goes on with {@code live}. Its READ
     * records count bytes read from {@code live}; its WRITE records and output-commit
     * requirements continue at stream offset {@code outputOffset}, the offset of the next byte
     * written to {@code live} (for a socket restored as {@link LiveBinding#restore} says:
     * {@code max(image.clientAckedOffset(), image.appOutputOffset())}).
     *
     * @param name the connection's four-tuple as the stack sees it (the name its records use)
     */
    public StreamSocket adopt(StreamSocket live, FourTuple name, long outputOffset) {
        if (outputOffset < 0) {
            throw new IllegalArgumentException("negative stream offset " + outputOffset);
        }
        return new LoggingStreamSocket(this, live, name, outputOffset);
    }

    /**
     * Takeover of a replayed application ({@link ReplayNetwork#goLive}): from now on the calling
     * threads' connections are those the replay network tracked, so runtime values logged here
     * get the same context as on a replica replaying this log. Before any socket of this network is used.
     */
    void shareThreads(ThreadConnections replayed) {
        this.threads = replayed;
    }

    LoggingRuntime loggingRuntime() {
        return runtime;
    }

    /** Appends {@code record} and remembers its LSN as the newest one the application may depend on. */
    long log(Record record) {
        long lsn = log.append(record);
        lastLsn.accumulateAndGet(lsn, Math::max);
        return lsn;
    }

    /**
     * Appends the WRITE record of a blocking write that accepted all its bytes, without making
     * later output depend on it, and as a record nothing waits for
     * ({@link DeterminantLog#appendUnawaited}). A blocking write returns only once every byte is
     * taken (or fails, logged with {@link #log}), so its count is what the application asked for
     * and it learns nothing it could act on: a lost record leaves the backup's copy writing the same
     * bytes (the stack skips what the client already holds, and the next logged write's hash still
     * checks the content). Making later output depend on it would hold every write's bytes for the
     * previous write's replication round trip: one write in flight per round trip, a throughput
     * limit. A non-blocking write's count is the stack's choice, on which an application acts
     * (queues the rest, gives up on a slow client, tells others): a determinant, logged with
     * {@link #log} like any other.
     */
    long logCompleteBlockingWrite(Record record) {
        return log.appendUnawaited(record);
    }

    /** The highest LSN logged so far (0 before the first record). */
    long lastLsn() {
        return lastLsn.get();
    }

    /** Which connection each application thread works on: the context of its runtime values. */
    ThreadConnections threads() {
        return threads;
    }

    OutputCommitSink commit() {
        return commit;
    }

    OutputHashing hashing() {
        return hashing;
    }

    @Override
    public String toString() {
        return "logging " + inner;
    }
}
