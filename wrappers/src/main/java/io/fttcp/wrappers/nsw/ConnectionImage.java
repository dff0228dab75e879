package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Connect;
import io.fttcp.stack.tcp.FourTuple;

import java.util.List;

/**
 * What the backup knows of one protected connection, for materializing it in the stack at
 * takeover (DESIGN.md §4 step 2). Offsets are stream offsets: 0 is the first byte after the
 * SYN of that direction; sequence number = ISN + 1 + offset (mod 2^32). Arrays are copies.
 *
 * <p>This is the backup's one source of truth for takeover: {@code io.fttcp.roles.takeover.Materializer}
 * builds the stack checkpoint from it alone. The components marked <b>[M]</b> are the ones the
 * Materializer reads; the others serve the north-side wrapper itself (reads and writes after takeover).
 *
 * <p>Client segments are followed with the rules of RFC 9293: the acknowledgement only moves
 * forward; the window is taken only from a segment at least as new as the last update (SND.WL1
 * and SND.WL2: a newer sequence number, or the same one with an acknowledgement not older);
 * TSval and TSecr only move forward (mod 2^32); a segment whose sequence number lies before the
 * client's SYN is ignored as garbage (not of this connection's sequence space).
 *
 * @param tuple               the connection as the primary's stack named it
 * @param connect             [M] its CONNECT record (ISNs, MSS, window scale, SACK, timestamps, the SYN-ACK's
 *                            TSval), null if none was logged
 * @param accepted            an ACCEPT record named it: the application has it, or will get it from a pending accept()
 * @param clientStreamEnd     [M] end of the contiguous logged client data (rcv_nxt as an offset, FIN not counted)
 * @param clientFin           [M] the client's FIN is logged at {@code clientStreamEnd}
 * @param clientReset         [M] the client sent RST (the Materializer refuses the connection)
 * @param appReadOffset       client bytes the application has read (consumed through READ records or live reads)
 * @param unreadClientBytes   logged client bytes at {@code [appReadOffset, clientStreamEnd)}, not yet read; the
 *                            north-side wrapper hands these to the application itself after takeover
 * @param outOfOrder          logged client segments beyond a hole (the primary may have SACKed them)
 * @param clientAckedOffset   [M] the latest acknowledgement the client sent (offset in our stream; the final
 *                            offset + 1 once our FIN is acknowledged); 0 before any. Whether it covers
 *                            a FIN or a data byte is told by {@code primaryFinOffset} (or {@code appShutOutput})
 * @param clientWindow        [M] the client's window field (unscaled, as on the wire) from the segment that
 *                            last updated it (RFC 9293 rule above)
 * @param clientWindowSeq     [M] SND.WL1: sequence number of that segment (the client's ISN before any ACK)
 * @param clientWindowAck     [M] SND.WL2: its acknowledgement number (our ISN + 1 before any ACK)
 * @param clientTsVal         [M] the client's latest TSval (TS.Recent, echoed in our TSecr), 0 if none
 * @param clientTsEcr         [M] the highest of our TSvals the client echoed, 0 if none: a lower bound of the
 *                            primary's timestamp clock, known even without heartbeats
 * @param primaryMaxTsVal     [M] the highest TSval the primary sent on it (from heartbeats), 0 if unknown
 * @param primaryFinOffset    [M] where the primary's application shut down its output: the end of its
 *                            logged WRITEs once a CLOSE record (shutdown output or close) is logged, -1
 *                            before. The primary may have sent its FIN from then on, so the client may
 *                            hold it and acknowledge it, even while the backup application has not reached its close
 * @param appOutputOffset     [M] bytes the application has written so far
 * @param bufferedOutputStart [M] stream offset of {@code bufferedOutput}'s first byte: {@code min(clientAckedOffset,
 *                            appOutputOffset)}, equal to {@code appOutputOffset} when nothing is buffered
 * @param bufferedOutput      [M] the application's output above the client's acknowledgement, up to {@code appOutputOffset}
 * @param appShutOutput       [M] the application shut down output or closed: a FIN follows {@code appOutputOffset}
 * @param appClosed           the application closed the socket
 * @param diverged            [M] the backup's output differed from the primary's: reset this connection (refused)
 * @param divergence          why, or null
 */
public record ConnectionImage(FourTuple tuple, Connect connect, boolean accepted,
                              long clientStreamEnd, boolean clientFin, boolean clientReset,
                              long appReadOffset, byte[] unreadClientBytes, List<Piece> outOfOrder,
                              long clientAckedOffset, int clientWindow, int clientWindowSeq, int clientWindowAck,
                              int clientTsVal, int clientTsEcr, int primaryMaxTsVal, long primaryFinOffset,
                              long appOutputOffset, long bufferedOutputStart, byte[] bufferedOutput,
                              boolean appShutOutput, boolean appClosed, boolean diverged, String divergence) {

    public ConnectionImage {
        outOfOrder = List.copyOf(outOfOrder);
    }

    /** Client bytes held beyond a hole at stream offset {@code offset}. */
    public record Piece(long offset, byte[] bytes) {
    }

    /** rcv_nxt for the restored connection: after the contiguous client data, and after the FIN if logged. */
    public int rcvNxt() {
        return connect.clientIsn() + 1 + (int) clientStreamEnd + (clientFin ? 1 : 0);
    }

    /** snd_una for the restored connection: the client's latest acknowledgement (a safe lower bound). */
    public int sndUna() {
        return connect.serverIsn() + 1 + (int) clientAckedOffset;
    }

    /** Sequence number of {@code bufferedOutput}'s first byte. */
    public int bufferedOutputSeq() {
        return connect.serverIsn() + 1 + (int) bufferedOutputStart;
    }

    @Override
    public String toString() {
        return "ConnectionImage[" + tuple + ", accepted=" + accepted + ", clientStreamEnd=" + clientStreamEnd + (clientFin ? "+FIN" : "")
                + ", appRead=" + appReadOffset + ", unread=" + unreadClientBytes.length + ", clientAcked=" + clientAckedOffset
                + (primaryFinOffset >= 0 ? ", primaryFin=" + primaryFinOffset : "") + ", appOutput=" + appOutputOffset + ", buffered=" + bufferedOutput.length + "@" + bufferedOutputStart
                + (appShutOutput ? ", output shut" : "") + (appClosed ? ", closed" : "") + (diverged ? ", DIVERGED: " + divergence : "") + "]";
    }
}
