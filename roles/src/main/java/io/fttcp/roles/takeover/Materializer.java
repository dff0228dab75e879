package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Connect;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpState;
import io.fttcp.wrappers.nsw.ConnectionImage;

import java.util.Arrays;

/**
 * Builds the checkpoint of a connection the backup takes over (DESIGN.md section 4, step 2)
 * from the north-side wrapper's {@link ConnectionImage} alone (its components marked [M]):
 * the primary's sequence space from CONNECT; rcv.nxt from the contiguous logged client data
 * (+1 for a logged FIN); snd.una from the client's latest logged ACK, a safe lower bound of what
 * the client holds; the send queue from the backup application's output from snd.una on (if the
 * application is behind the client, nothing: the north-side wrapper discards its next bytes until
 * it catches up; but it must have caught up with the primary's close, if that is logged, before
 * the connection is materialized, because the client may hold that FIN); the negotiated options;
 * and a timestamp clock that continues above the highest TSval the primary may have sent, so the
 * client's PAWS check passes.
 *
 * <p>The receive queue is empty: client bytes already logged but not yet read by the backup's
 * application are served by the north-side wrapper before live data.
 *
 * <p>Take the image once the backup's application has consumed every received record (DESIGN.md
 * section 4 step 1). The client may still hold output beyond snd.nxt (sent by the primary, its
 * WRITE record or the client's ACK not received); the restored connection accepts its ACKs
 * above snd.max and skips those bytes when the application writes them again (see
 * {@code TcpConnection}'s repair notes), so neither side stalls.
 */
public final class Materializer {
    private static final long MS = 1_000_000L;
    private static final long MAX_TS_JUMP_MS = 1L << 30;

    private Materializer() {}

    /**
     * @param image         what the backup knows of the connection (after every received record is applied)
     * @param tsValAgeNanos how long ago the image's TSval knowledge ({@code primaryMaxTsVal}) was current
     *                      (the primary's clock kept running until it died)
     * @param nowNanos      the backup's monotonic clock now
     * @throws IllegalStateException if no CONNECT is logged, the client reset the connection (but
     *                               after both FINs: see below), the
     *                               output diverged, or the records and the output contradict each
     *                               other (nothing safe to restore), or the backup application has not
     *                               yet caught up with the primary's close (materialize once it has)
     */
    public static TcpCheckpoint checkpoint(ConnectionImage image, TcpConfig config, long tsValAgeNanos, long nowNanos) {
        Connect c = image.connect();
        if (c == null) throw new IllegalStateException(image.tuple() + ": no CONNECT logged");
        if (image.diverged()) throw new IllegalStateException(c.tuple() + ": not restored (" + image.divergence() + ")");
        // What the client acknowledged, as stream offsets: data bytes, plus one for our FIN.
        long acked = image.clientAckedOffset();
        long primaryFinOffset = image.primaryFinOffset();
        long outputStart = image.bufferedOutputStart(), outputEnd = image.appOutputOffset();
        byte[] output = image.bufferedOutput();
        if (outputStart + output.length != outputEnd) {
            throw new IllegalStateException(c.tuple() + ": buffered output " + outputStart + "+" + output.length + " does not end at " + outputEnd);
        }
        // The primary's close decides whether an ACK one past its last byte covers a FIN or a data
        // byte the backup application has not written yet; the backup's own close agrees with it.
        long finOffset = image.appShutOutput() ? outputEnd : primaryFinOffset;
        if (image.appShutOutput() && primaryFinOffset >= 0 && primaryFinOffset != outputEnd) {
            throw new IllegalStateException(c.tuple() + ": the primary closed at offset " + primaryFinOffset + ", the backup at " + outputEnd + " (diverged)");
        }
        if (finOffset >= 0 && acked > finOffset + 1) {
            throw new IllegalStateException(c.tuple() + ": the client acknowledged past our FIN (diverged or corrupt records)");
        }
        if (primaryFinOffset >= 0 && outputEnd > primaryFinOffset) {
            throw new IllegalStateException(c.tuple() + ": the application has written " + outputEnd
                    + " bytes but the primary closed after " + primaryFinOffset + " (diverged)");
        }
        if (primaryFinOffset >= 0 && outputEnd < primaryFinOffset) {
            throw new IllegalStateException(c.tuple() + ": the application has written " + outputEnd
                    + " bytes but the primary closed after " + primaryFinOffset + "; materialize once it caught up");
        }
        boolean finAcked = finOffset >= 0 && acked == finOffset + 1;
        // Our FIN belongs to the connection as soon as the primary may have sent it (its CLOSE
        // record is known): the client may hold it, and its ACK of the FIN must be acceptable.
        // The backup application's own later shutdown is then a no-op.
        boolean finQueued = finOffset >= 0;
        long dataAcked = finAcked ? finOffset : acked;
        if (dataAcked < outputStart) {
            throw new IllegalStateException(c.tuple() + ": output from offset " + dataAcked + " is needed but only kept from " + outputStart);
        }
        // If the application is behind the client (dataAcked >= end), nothing is queued: its next
        // bytes up to dataAcked are discarded by the north-side wrapper.
        byte[] sendQueue = dataAcked >= outputEnd ? new byte[0]
                : dataAcked == outputStart ? output // the image's array is already a copy: no second one (it can be megabytes)
                : Arrays.copyOfRange(output, (int) (dataAcked - outputStart), output.length);
        boolean peerFin = image.clientFin();
        TcpState state;
        if (finQueued) {
            if (peerFin) state = finAcked ? TcpState.TIME_WAIT : TcpState.LAST_ACK;
            else state = finAcked ? TcpState.FIN_WAIT_2 : TcpState.FIN_WAIT_1;
        } else {
            state = peerFin ? TcpState.CLOSE_WAIT : TcpState.ESTABLISHED;
        }
        // A client RST after both FINs were exchanged and acknowledged is its host answering a
        // late segment of ours (reordered behind the ACK that ended its side) for a connection it
        // no longer has: the connection ended in order, and is restored in TIME-WAIT, where the
        // application still reads what it has not yet. Any other is a reset connection.
        if (image.clientReset() && state != TcpState.TIME_WAIT) throw new IllegalStateException("the client reset " + c.tuple());
        boolean windowScaling = c.clientWindowShift() >= 0 && c.serverWindowShift() >= 0;
        int sndShift = windowScaling ? Math.min(c.clientWindowShift(), 14) : 0;
        int rcvShift = windowScaling ? c.serverWindowShift() : 0;
        int peerMss = c.clientMss() > 0 ? c.clientMss() : 536;
        int sndUna = image.sndUna();
        // Our timestamp clock: TSval = now_ms + offset must start above anything the primary sent,
        // including during the time since that value was known.
        // The best known value is the highest of: the heartbeats' maximum, our SYN-ACK's TSval, and
        // what the client echoed.
        int known = laterOf(laterOf(image.primaryMaxTsVal(), c.serverTsVal()), image.clientTsEcr());
        // Capped at 2^30 ms (12 days): TSvals compare modulo 2^32, so a larger jump could look
        // older than what the client holds. (A connection silent for longer has had its
        // TS.Recent invalidated by the client anyway, RFC 7323 5.5.)
        long elapsedMs = Math.min(MAX_TS_JUMP_MS, Math.max(0, tsValAgeNanos / MS) + 1);
        int tsOffset = (int) (known + elapsedMs - nowNanos / MS);
        long rcvWnd = Math.min(config.receiveBuffer(), 65535L << rcvShift);
        // Everything queued counts as possibly sent: the primary may have sent it, and the client's
        // ACKs for it must be acceptable (an ACK above snd.nxt would be dropped, stalling both
        // sides). The restored connection sends it anew from snd.una (TcpConnection.restore).
        int sndNxt = sndUna + sendQueue.length + (finQueued && !finAcked ? 1 : 0);
        return new TcpCheckpoint(c.tuple(), state, c.serverIsn(), c.clientIsn(), sndUna, sndNxt,
                (long) image.clientWindow() << sndShift, image.clientWindowSeq(), image.clientWindowAck(),
                image.rcvNxt(), rcvWnd, sndShift, rcvShift, Math.min(peerMss, config.mss()),
                c.sackPermitted(), c.timestamps(), tsOffset, image.clientTsVal(),
                sendQueue, finQueued,
                new byte[0], peerFin, config.nagle(), false);
    }

    /** The later of two timestamps in modulo-2^32 order. */
    private static int laterOf(int a, int b) {
        return b - a > 0 ? b : a;
    }
}
