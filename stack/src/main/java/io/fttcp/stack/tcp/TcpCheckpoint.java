package io.fttcp.stack.tcp;

/**
 * A complete, self-contained snapshot of one connection, like what Linux TCP_REPAIR reads and
 * writes. {@link TcpConnection#restore} builds a connection from it without a handshake.
 * Sequence numbers are the 32-bit wire values. Byte arrays are owned by the checkpoint.
 *
 * @param tuple              the four-tuple (restore may happen on another host that owns the address)
 * @param state              ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, FIN_WAIT_2 or LAST_ACK (also CLOSING, TIME_WAIT)
 * @param iss                our initial sequence number
 * @param irs                the peer's initial sequence number
 * @param sndUna             oldest unacknowledged sequence number
 * @param sndNxt             next sequence number to send (sndUna + bytes in flight)
 * @param sndWnd             the peer's last advertised window, already scaled (bytes)
 * @param sndWl1             seq of the segment that last updated sndWnd
 * @param sndWl2             ack of the segment that last updated sndWnd
 * @param rcvNxt             next sequence number expected from the peer
 * @param rcvWnd             the window we last advertised (bytes, scaled)
 * @param sndWindowShift     shift applied to the peer's window field (its window-scale option), 0 if none
 * @param rcvWindowShift     shift applied to our window field, 0 if none
 * @param sendMss            the largest payload we send (peer's MSS, clamped by ours)
 * @param sackEnabled        SACK negotiated
 * @param timestampsEnabled  timestamps negotiated
 * @param tsOffset           our timestamp clock: TSval = (now in ms + tsOffset) mod 2^32
 * @param tsRecent           last TSval accepted from the peer (for TSecr and PAWS)
 * @param sendQueue          bytes from sndUna on: unacknowledged then unsent, in stream order
 * @param finQueued          the application shut down output: a FIN follows sendQueue
 * @param receiveQueue       bytes received and acknowledged but not yet read by the application
 * @param finReceived        the peer's FIN was received (it sits after receiveQueue)
 * @param nagle              Nagle's algorithm on
 * @param keepalive          keepalive on
 */
public record TcpCheckpoint(
        FourTuple tuple,
        TcpState state,
        int iss,
        int irs,
        int sndUna,
        int sndNxt,
        long sndWnd,
        int sndWl1,
        int sndWl2,
        int rcvNxt,
        long rcvWnd,
        int sndWindowShift,
        int rcvWindowShift,
        int sendMss,
        boolean sackEnabled,
        boolean timestampsEnabled,
        int tsOffset,
        int tsRecent,
        byte[] sendQueue,
        boolean finQueued,
        byte[] receiveQueue,
        boolean finReceived,
        boolean nagle,
        boolean keepalive) {

    /**
     * The same checkpoint with another timestamp clock offset. A host restoring on a different
     * monotonic clock keeps TSval increasing with {@code tsOffset + (oldNowMs - newNowMs) + margin}.
     */
    public TcpCheckpoint withTsOffset(int newTsOffset) {
        return new TcpCheckpoint(tuple, state, iss, irs, sndUna, sndNxt, sndWnd, sndWl1, sndWl2, rcvNxt, rcvWnd, sndWindowShift, rcvWindowShift,
                sendMss, sackEnabled, timestampsEnabled, newTsOffset, tsRecent, sendQueue, finQueued, receiveQueue, finReceived, nagle, keepalive);
    }

    /** The same checkpoint with {@code bytes} received but not yet read by the application. */
    public TcpCheckpoint withReceiveQueue(byte[] bytes) {
        return new TcpCheckpoint(tuple, state, iss, irs, sndUna, sndNxt, sndWnd, sndWl1, sndWl2, rcvNxt, rcvWnd, sndWindowShift, rcvWindowShift,
                sendMss, sackEnabled, timestampsEnabled, tsOffset, tsRecent, sendQueue, finQueued, bytes, finReceived, nagle, keepalive);
    }

    /** TSval this checkpoint's connection would put on a segment at time {@code now} (ns) of its own clock. */
    public int tsValAt(long now) {
        return (int) (now / 1_000_000L) + tsOffset;
    }
}
