package io.fttcp.replication.channel;

import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.util.List;

/** What a session does with the frames; reader thread unless said otherwise. */
sealed interface LoggerSession permits RecordsInSession, FetchSession {
    void onRecord(long lsn, Record record) throws ReplicationProtocolException;

    void onAck(long lsn) throws ReplicationProtocolException;

    void onHeartbeat(long lsn, long sentAtNanos);

    void onCaughtUp(long lsn) throws ReplicationProtocolException;

    void onRoster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException;

    void afterFrames() throws IOException;

    void afterConnected();

    /** Ticker thread. */
    void onTick() throws IOException;

    /** Ticker or a writer, under the write lock. */
    long heartbeatLsn();

    long heartbeatEcho();
}
