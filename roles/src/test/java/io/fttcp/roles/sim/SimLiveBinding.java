package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.roles.takeover.Materializer;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpState;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.LiveBinding;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The takeover's live side on a simulated backup host (DESIGN.md §4 steps 2 and 4): each
 * connection the backup's application has is materialized in the backup's stack from its
 * {@link ConnectionImage} ({@link Materializer}, with the timestamp clock of
 * {@link TimestampClocks}) and resumed at once (retransmit now, four ACKs); a connection
 * established on the primary but never accepted goes, restored with its logged bytes in its
 * receive queue, into the backlog of the live listener. Listeners live on the backup's stack;
 * sockets never block.
 *
 * <p>Where the repair API falls short, this binding stands in (test code; each is a finding for
 * the real takeover):
 * <ul>
 *   <li>a connection with no client ACK logged whose CONNECT the backup never acknowledged is
 *       left alone: its SYN-ACK cannot have left the primary, the client is in SYN-SENT, and its
 *       next SYN makes a fresh handshake with the live listener; one whose CONNECT the backup did
 *       acknowledge is restored as established, and the stack answers the client's retransmitted
 *       SYN with its SYN-ACK;</li>
 *   <li>LAST-ACK is restored as CLOSING (see {@link #materialize});</li>
 *   <li>a diverged connection is refused (the takeover resets its client, as the real one does:
 *       {@link io.fttcp.roles.takeover.ClientResets}).</li>
 * </ul>
 */
final class SimLiveBinding implements LiveBinding {
    /** Restored connections reset after takeover (their replayed output diverged only then). */
    int resetAfterTakeover;

    @Override
    public void reset(StreamSocket live) {
        resetAfterTakeover++;
        ((SimStreamSocket) live).abort();
    }

    private final SimStackHost host;
    private final TcpConfig tcp;
    private final ToIntFunction<FourTuple> tsOffset;
    private final Predicate<FourTuple> synAckNeverSent;
    private final Runnable onEvent;
    final List<FourTuple> restored = new ArrayList<>(), restoredUnaccepted = new ArrayList<>(), leftToHandshake = new ArrayList<>();
    /** Accepted connections not restored because their client had reset them (as the runtime's binding refuses them). */
    final List<FourTuple> resetByClient = new ArrayList<>();
    /** Connections the primary's stack ended (not restored) whose clients the takeover resets, as the runtime's binding has it do. */
    final List<ConnectionImage> endedByTheStack = new ArrayList<>();

    @Override
    public void resetClient(ConnectionImage image) {
        endedByTheStack.add(image);
    }

    /** Restored connections whose client ACK of our SYN-ACK is not logged: the client may still be in SYN-SENT. */
    final List<FourTuple> unconfirmedHandshakes = new ArrayList<>();

    /**
     * @param tsOffset        for a connection: the timestamp clock offset of the restored connection (see
     *                        {@link TimestampClocks}; it replaces the Materializer's, which can fall below the
     *                        primary's clock)
     * @param synAckNeverSent whether the backup never acknowledged the connection's CONNECT record
     * @param onEvent         runs on every event of a live socket or listener (the application pumps)
     */
    SimLiveBinding(SimStackHost host, TcpConfig tcp, ToIntFunction<FourTuple> tsOffset, Predicate<FourTuple> synAckNeverSent, Runnable onEvent) {
        this.host = host;
        this.tcp = tcp;
        this.tsOffset = tsOffset;
        this.synAckNeverSent = synAckNeverSent;
        this.onEvent = onEvent;
    }

    @Override
    public Network network() {
        return new Network() {
            @Override
            public ListeningSocket listen(InetSocketAddress local, int backlog) {
                return new SimListeningSocket(host, local, backlog, onEvent);
            }

            @Override
            public StreamSocket connect(InetSocketAddress remote) throws IOException {
                throw new IOException("the simulated backup makes no outbound connections");
            }

            @Override
            public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
                throw new IOException("the simulated backup makes no outbound connections");
            }

            @Override
            public Poller openPoller() throws IOException {
                throw new IOException("the simulated backup's applications do not poll");
            }
        };
    }

    /** Connections restored in TIME-WAIT (both sides closed; the client may still want the ACK of its FIN). */
    int restoredTimeWait;

    @Override
    public StreamSocket restore(ConnectionImage image) {
        if (image.diverged()) return null; // reset by the application's takeover (see reset)
        TcpCheckpoint checkpoint;
        try {
            checkpoint = checkpoint(image);
        } catch (IllegalStateException e) {
            if (!image.clientReset()) throw e; // anything else the Materializer refuses is a takeover bug here
            resetByClient.add(image.tuple()); // nothing to restore: its socket fails as reset
            return null;
        }
        restored.add(image.tuple());
        if (checkpoint.state() == TcpState.TIME_WAIT) restoredTimeWait++;
        return materialize(image, checkpoint);
    }

    @Override
    public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) {
        if (image.clientReset() || image.diverged()) return false; // a diverged one is reset by the application's takeover (see reset)
        if (!clientAckLogged(image) && synAckNeverSent.test(image.tuple())) {
            leftToHandshake.add(image.tuple());
            return false;
        }
        restoredUnaccepted.add(image.tuple());
        TcpCheckpoint c = checkpoint(image);
        // Nobody read anything: the stack itself holds the logged bytes for the application's reads.
        TcpCheckpoint withBytes = c.withReceiveQueue(image.unreadClientBytes());
        ((SimListeningSocket) listener).addRestored(materialize(image, withBytes));
        return true;
    }

    private SimStreamSocket materialize(ConnectionImage image, TcpCheckpoint materialized) {
        // LAST-ACK becomes CLOSING (both FINs out, ours unacknowledged, either way): the client
        // may never have had an acceptable ACK of its FIN (the primary's may have been held or
        // lost, the backup's first ACKs lost too), and a retransmission of our FIN, old to a
        // client that holds it, makes the client acknowledge our FIN while ignoring that
        // segment's ACK. From LAST-ACK the connection would then close, and the stack would reset
        // the client's next FIN retransmission; from CLOSING it lingers in TIME-WAIT and
        // acknowledges it.
        TcpCheckpoint checkpoint = materialized.state() == TcpState.LAST_ACK ? withState(materialized, TcpState.CLOSING) : materialized;
        Connection c = host.restore(checkpoint, null);
        // DESIGN.md section 4 step 4: retransmit now, and four ACKs: the first may carry a window
        // update, three duplicates make a client with data outstanding retransmit now.
        host.call(() -> c.resume(4, host.now()));
        SimStreamSocket socket = new SimStreamSocket(host, c, onEvent);
        if (!clientAckLogged(image)) {
            unconfirmedHandshakes.add(image.tuple());
        }
        return socket;
    }

    private static TcpCheckpoint withState(TcpCheckpoint c, TcpState state) {
        return new TcpCheckpoint(c.tuple(), state, c.iss(), c.irs(), c.sndUna(), c.sndNxt(), c.sndWnd(), c.sndWl1(), c.sndWl2(),
                c.rcvNxt(), c.rcvWnd(), c.sndWindowShift(), c.rcvWindowShift(), c.sendMss(), c.sackEnabled(), c.timestampsEnabled(),
                c.tsOffset(), c.tsRecent(), c.sendQueue(), c.finQueued(), c.receiveQueue(), c.finReceived(), c.nagle(), c.keepalive());
    }

    /** The Materializer's checkpoint, with the timestamp clock of {@link TimestampClocks}. */
    private TcpCheckpoint checkpoint(ConnectionImage image) {
        return Materializer.checkpoint(image, tcp, 0, host.now()).withTsOffset(tsOffset.applyAsInt(image.tuple()));
    }

    /** The client acknowledged our SYN-ACK in a logged segment: it is established. */
    static boolean clientAckLogged(ConnectionImage image) {
        return image.clientWindowSeq() != image.connect().clientIsn();
    }
}
