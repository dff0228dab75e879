package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Close;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;

/**
 * A takeover whose new primary is protected itself (re-protection, DESIGN.md §4 step 5): the
 * replayed application continues on {@code logging}, so everything it observes from takeover
 * on is logged for the next backup or logger, continuing the old primary's records.
 * <ul>
 *   <li>{@link #network()} is {@code logging}: listeners, pollers and new connections are logged;
 *       the replay network then also shares its threads' connections with it and logs the live
 *       runtime values through it (CLOCK, SEED), and its pollers keep their numbers;</li>
 *   <li>{@link #restore} wraps {@code inner}'s restored socket with {@link LoggingNetwork#adopt}
 *       at the offset where the replayed socket's writes continue; the replayed socket logs the
 *       results it serves itself (unread logged client bytes) and its writes' drops, and does not
 *       log again what a still-queued record replays;</li>
 *   <li>a connection not restored, accepted or not (or reset later, {@link #reset}), is logged
 *       as given up, a CLOSE RESET;</li>
 *   <li>{@link #restoreUnaccepted} hands {@code inner} the stack's listener behind the logging
 *       one, so the application's later accept() through the logging listener logs its ACCEPT.</li>
 * </ul>
 * The south-side wrapper must adopt each restored connection too ({@code SouthSideWrapper.adopt}),
 * inside {@code inner.restore} and {@code inner.restoreUnaccepted}: the wrapper ignores output
 * requirements for connections it does not track, and the first ones come as soon as the
 * socket is returned (a connection the application had closed is closed inside goLive).
 */
public final class LoggingLiveBinding implements LiveBinding {

    private final LiveBinding inner;
    private final LoggingNetwork logging;

    /** @param logging a logging network over {@code inner.network()}, fresh (none of its sockets used yet) */
    public LoggingLiveBinding(LiveBinding inner, LoggingNetwork logging) {
        this.inner = inner;
        this.logging = logging;
    }

    @Override
    public Network network() {
        return logging;
    }

    @Override
    public StreamSocket restore(ConnectionImage image) throws IOException {
        StreamSocket live = inner.restore(image);
        if (live == null) {
            givenUp(image.tuple());
            return null;
        }
        // The restored send queue ends here: the next byte the replayed socket writes goes here.
        long outputOffset = Math.max(image.clientAckedOffset(), image.appOutputOffset());
        StreamSocket adopted = logging.adopt(live, image.tuple(), outputOffset);
        if (adopted instanceof LoggingStreamSocket l) {
            l.seedOutputCopy(image.bufferedOutput(), image.bufferedOutputStart()); // the restored send queue, for checkpoints
        }
        return adopted;
    }

    @Override
    public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) throws IOException {
        boolean restored = inner.restoreUnaccepted(image, listener instanceof LoggingListeningSocket l ? l.inner() : listener);
        if (!restored) givenUp(image.tuple());
        return restored;
    }

    @Override
    public String toString() {
        return "logging " + inner;
    }

    @Override
    public void reset(StreamSocket live) throws IOException {
        if (live instanceof LoggingStreamSocket l) {
            inner.reset(l.inner());
            givenUp(l.name());
        } else {
            inner.reset(live);
        }
    }

    /**
     * A connection not restored, or reset after the takeover, is over: logged as such, so that
     * the records kept for the next backup or logger let it go (else every later catch-up and
     * recovery would carry it, and restore it again).
     */
    private void givenUp(FourTuple connection) {
        logging.log(new Close(connection, Close.How.RESET));
    }
}
