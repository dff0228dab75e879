package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.stream.CatchUpSource;

import java.util.List;
import java.util.Objects;

/**
 * The logger's owner, asked by each {@link LoggerChannel} what to do with the peer that just
 * said who it is. Both calls come on the channel's reader thread, during the handshake; a
 * {@link HandshakeException} refuses the peer with its message.
 */
public interface LoggerSessions {
    /**
     * A primary dialed to stream its records here.
     *
     * @param primary its handshake (cluster id, epoch, and the stable LSN + 1 it continues from)
     * @return what this logger holds for that cluster, and who takes the records
     */
    Join join(Handshake primary) throws HandshakeException;

    /**
     * A recovering server (a {@link BackupChannel} holding nothing) wants the live connections'
     * records. May block, for instance until the old primary is surely gone (its lease over),
     * but must answer by {@code answerBy}, and refuse rather than grant anything later: the
     * channel is closed then (its handshake timeout, counted from the connection's opening).
     *
     * @param requester its handshake (cluster id, the epoch it knows)
     * @param answerBy  when (System.nanoTime()) the channel closes unless answered
     * @return what to send
     */
    Fetch fetch(Handshake requester, long answerBy) throws HandshakeException;

    /**
     * The answer to {@code fetch} was never sent: its channel closed first. Whatever the owner
     * granted with it (an epoch, the right to join) may be withdrawn; the channel has closed the
     * fetch's source.
     */
    default void fetchNotAnswered(Handshake requester, Fetch fetch) {
    }

    /**
     * @param heldLsn    the last LSN stored for the primary's cluster (0: none); records come from the next one.
     *                   0 also answers a primary that dropped as stable records this logger lacks (it ran
     *                   without it): such a primary sends a catch-up of its live connections' records first,
     *                   which the owner stores as a new start of the log
     * @param knownEpoch the newest primary epoch seen for that cluster (an older primary is refused)
     * @param listener   takes the session's events: onConnected, onRecords, onCaughtUp, onClosed (also
     *                   when the channel then refuses the primary: an older epoch, or records missing)
     */
    record Join(long heldLsn, long knownEpoch, ChannelListener listener) {
        public Join {
            if (heldLsn < 0) {
                throw new IllegalArgumentException("negative LSN " + heldLsn);
            }
            Objects.requireNonNull(listener, "listener");
        }
    }

    /**
     * @param epoch      the epoch to state (the newest seen for the cluster)
     * @param throughLsn the last LSN the records reach (0: nothing logged)
     * @param records    the live connections' records, LSNs increasing and at most {@code throughLsn}
     * @param source     or, instead of {@code records} (then empty), where they are read from as they
     *                   are sent (a log); null if none. The channel closes it when done or closed.
     * @param incompleteThrough the records through this LSN are incomplete (0: none are): the
     *                   recovering server restores none of the connections they name
     * @param roster     clients the recovering server must reset (named by a catch-up that broke off)
     */
    record Fetch(long epoch, long throughLsn, List<LoggedRecord> records, CatchUpSource source, long incompleteThrough,
                 List<RosterEntry> roster) {
        public Fetch {
            roster = List.copyOf(roster);
            if (incompleteThrough < 0 || incompleteThrough > throughLsn) {
                throw new IllegalArgumentException("incomplete through LSN " + incompleteThrough + " outside 0.." + throughLsn);
            }
            if ((incompleteThrough > 0 || !roster.isEmpty()) && source == null) {
                throw new IllegalArgumentException("only a fetch read from a log says its records are incomplete");
            }
            if (throughLsn < 0) {
                throw new IllegalArgumentException("negative LSN " + throughLsn);
            }
            records = List.copyOf(records);
            if (throughLsn == 0 && (!records.isEmpty() || source != null)) {
                throw new IllegalArgumentException("a fetch through LSN 0 cannot hold records");
            }
            if (source != null && !records.isEmpty()) {
                throw new IllegalArgumentException("records come from a list or from a source, not both");
            }
        }

        /** The records given at once. */
        public Fetch(long epoch, long throughLsn, List<LoggedRecord> records) {
            this(epoch, throughLsn, records, null, 0, List.of());
        }

        /** The records read as they are sent. */
        public Fetch(long epoch, long throughLsn, CatchUpSource source) {
            this(epoch, throughLsn, List.of(), source, 0, List.of());
        }

        /** The records read as they are sent, those through {@code incompleteThrough} incomplete, and clients to reset. */
        public Fetch(long epoch, long throughLsn, CatchUpSource source, long incompleteThrough, List<RosterEntry> roster) {
            this(epoch, throughLsn, List.of(), source, incompleteThrough, roster);
        }
    }
}
