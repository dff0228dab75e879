package io.fttcp.wrappers.ssw;

import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpState;

/**
 * A connection restored into the stack at takeover, handed to {@link SouthSideWrapper#adopt} so
 * the new primary protects it from then on. Only what the wrapper needs after a handshake: the
 * sequence spaces, options that shape the packets it writes or clamps, where the stable client
 * stream ends and where the output already released ends. Sequence numbers are wire values.
 *
 * @param tuple             as the stack sees it (local = the service address)
 * @param clientIsn         tells a new incarnation's SYN from a retransmitted old one
 * @param serverIsn         maps our sequence numbers to stream offsets (offset 0 = iss + 1)
 * @param ourWindowShift    shift of our window field (the stack's receive window scale)
 * @param timestamps        timestamps negotiated (wrapper ACKs carry them)
 * @param rcvNxt            the client's next sequence number: every client byte (and FIN) below
 *                          it is logged, so stable
 * @param clientFinReceived the client's FIN is below {@code rcvNxt}
 * @param sentEndOffset     stream offset of the end of our queued bytes (FIN excluded); all of it
 *                          was released by the old primary, so its retransmissions need nothing
 * @param ourFinSent        our FIN follows {@code sentEndOffset} and may have been sent
 * @param ourFinAcked       the client acknowledged our FIN
 * @param latestClientTsVal the client's latest TSval (the TSecr of wrapper ACKs)
 * @param tsValFloor        a TSval the stack's timestamp clock is at or above from now on (what
 *                          wrapper ACKs carry until the stack has sent something)
 */
public record AdoptedConnection(FourTuple tuple, int clientIsn, int serverIsn, int ourWindowShift, boolean timestamps,
                                int rcvNxt, boolean clientFinReceived, long sentEndOffset, boolean ourFinSent,
                                boolean ourFinAcked, int latestClientTsVal, int tsValFloor) {

    public AdoptedConnection {
        if (sentEndOffset < 0) throw new IllegalArgumentException("negative stream offset " + sentEndOffset);
        if (ourWindowShift < 0 || ourWindowShift > 14) throw new IllegalArgumentException("window shift " + ourWindowShift);
        if (ourFinAcked && !ourFinSent) throw new IllegalArgumentException("our FIN acknowledged but never sent");
    }

    /**
     * The adoption of the connection just restored from {@code checkpoint}.
     *
     * @param sndUnaOffset stream offset of {@code checkpoint.sndUna()} (our FIN counts as the byte
     *                     at the final offset): the 64-bit position the 32-bit sequence number lacks
     * @param now          the host's clock (ns) the checkpoint's timestamp clock runs on
     */
    public static AdoptedConnection restored(TcpCheckpoint checkpoint, long sndUnaOffset, long now) {
        TcpState state = checkpoint.state();
        boolean finAcked = state == TcpState.FIN_WAIT_2 || state == TcpState.TIME_WAIT;
        boolean finSent = finAcked || checkpoint.finQueued() || state == TcpState.FIN_WAIT_1
                || state == TcpState.CLOSING || state == TcpState.LAST_ACK;
        long sentEnd = finAcked ? sndUnaOffset - 1 : sndUnaOffset + checkpoint.sendQueue().length;
        return new AdoptedConnection(checkpoint.tuple(), checkpoint.irs(), checkpoint.iss(), checkpoint.rcvWindowShift(),
                checkpoint.timestampsEnabled(), checkpoint.rcvNxt(), checkpoint.finReceived(), sentEnd, finSent, finAcked,
                checkpoint.tsRecent(), checkpoint.tsValAt(now));
    }
}
