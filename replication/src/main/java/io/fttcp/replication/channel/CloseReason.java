package io.fttcp.replication.channel;

/**
 * Why a replication connection ended.
 *
 * @param kind    what happened
 * @param message what to tell an operator
 * @param cause   the exception behind it, or null
 */
public record CloseReason(Kind kind, String message, Throwable cause) {
    public enum Kind {
        /** Our owner closed the channel (the peer was told, so it will not take it for a crash). */
        CLOSED_LOCALLY,
        /** The peer's end closed or reset the connection without a word: its process or host died. */
        PEER_CLOSED,
        /**
         * Nothing from the peer for the detection timeout (or no handshake in time): it is dead,
         * frozen or cut off. We still send it a REJECT, so that if it was only slow it sees
         * {@link #PEER_ABORTED}, not a crash.
         */
        PEER_SILENT,
        /** The peer said it is dropping the connection (it is alive), with its reason. */
        PEER_ABORTED,
        /** The handshake failed (either side refused; the message says which and why). */
        HANDSHAKE_REFUSED,
        /** A frame failed its checks; the cause is a {@link io.fttcp.replication.codec.CorruptRecordException}. */
        CORRUPT_FRAME,
        /** A valid frame that must not come now: out-of-order LSN, unexpected kind, impossible ack. */
        PROTOCOL_VIOLATION,
        /** The socket or the channel failed in another way (the message and cause say how). */
        FAILED
    }

    /** The peer may be dead: the kinds after which a backup takes over (and a primary continues unprotected). */
    public boolean peerMayBeDead() {
        return kind == Kind.PEER_CLOSED || kind == Kind.PEER_SILENT;
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
