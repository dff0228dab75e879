package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Connect;
import io.fttcp.stack.tcp.FourTuple;

import java.util.List;

/**
 * What the backup knows of one protected connection, for materializing it in the stack at
 * takeover (DESIGN.md §4 step 2). Offsets are stream offsets: 0 is the first byte after the
 * SYN of that direction; sequence number = ISN + 1 + offset (mod 2^32). Arrays are copies.
 *
 * @param tuple               the connection as the primary's stack named it
 * @param connect             its CONNECT record (ISNs, MSS, window scale, SACK, timestamps), null if none was logged
 * @param accepted            an ACCEPT record named it: the application has it, or will get it from a pending accept()
 * @param clientStreamEnd     end of the contiguous logged client data (rcv_nxt as an offset, FIN not counted)
 * @param clientFin           the client's FIN is logged at {@code clientStreamEnd}
 * @param clientReset         the client sent RST
 * @param appReadOffset       client bytes the application has read (consumed through READ records or live reads)
 * @param unreadClientBytes   logged client bytes at {@code [appReadOffset, clientStreamEnd)}, not yet read; the
 *                            north-side wrapper hands these to the application itself after takeover
 * @param outOfOrder          logged client segments beyond a hole (the primary may have SACKed them)
 * @param clientAckedOffset   the latest acknowledgement the client sent (offset in our stream; the final
 *                            offset + 1 once our FIN is acknowledged); 0 before any
 * @param clientWindow        the client's latest window field (unscaled, as on the wire)
 * @param clientTsVal         the client's latest TSval (for TSecr), 0 if none
 * @param primaryMaxTsVal     the highest TSval the primary sent on it (from heartbeats), 0 if unknown
 * @param appOutputOffset     bytes the application has written so far
 * @param bufferedOutputStart stream offset of {@code bufferedOutput}'s first byte: {@code max(clientAckedOffset, …)},
 *                            equal to {@code appOutputOffset} when nothing is buffered
 * @param bufferedOutput      the application's output above the client's acknowledgement, up to {@code appOutputOffset}
 * @param appShutOutput       the application shut down output or closed: a FIN follows {@code appOutputOffset}
 * @param appClosed           the application closed the socket
 * @param diverged            the backup's output differed from the primary's: reset this connection
 * @param divergence          why, or null
 */
public record ConnectionImage(FourTuple tuple, Connect connect, boolean accepted,
                              long clientStreamEnd, boolean clientFin, boolean clientReset,
                              long appReadOffset, byte[] unreadClientBytes, List<Piece> outOfOrder,
                              long clientAckedOffset, int clientWindow, int clientTsVal, int primaryMaxTsVal,
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
                + ", appOutput=" + appOutputOffset + ", buffered=" + bufferedOutput.length + "@" + bufferedOutputStart
                + (appShutOutput ? ", output shut" : "") + (appClosed ? ", closed" : "") + (diverged ? ", DIVERGED: " + divergence : "") + "]";
    }
}
