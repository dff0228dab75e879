package io.fttcp.replication.channel;

import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.stream.RecordStream;

import java.util.List;

/** A recovering server's fetch: the records as a catch-up, then only heartbeats. */
final class FetchSession implements LoggerSession {
    final RecordStream stream;
    final StreamSender sender;
    /** What the owner granted. */
    final LoggerSessions.Fetch fetch;
    private final long throughLsn;
    private final String peer;

    FetchSession(LoggerChannel channel, LoggerSessions.Fetch fetch) {
        this.fetch = fetch;
        this.peer = channel.peer;
        this.throughLsn = fetch.throughLsn();
        this.stream = channel.config.newRecordStream();
        stream.resetTo(fetch.throughLsn());
        if (fetch.source() != null) {
            stream.restartWithCatchUp(fetch.source(), fetch.roster(), fetch.incompleteThrough());
        } else if (fetch.throughLsn() > 0) {
            stream.restartWithCatchUp(fetch.records());
        }
        this.sender = new StreamSender(channel, stream, channel.config);
    }

    /** The channel closed: what the records are read from is released (after the batch being written, if any). */
    void close() {
        synchronized (stream) {
            stream.resetTo(stream.lastLsn()); // rewinds: closes a source not yet drained
        }
    }

    @Override
    public void onRecord(long lsn, Record record) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("logger received record LSN " + lsn + " from fetching server " + peer);
    }

    @Override
    public void onAck(long lsn) throws ReplicationProtocolException {
        boolean freed;
        synchronized (stream) {
            long inFlight = stream.inFlightBytes();
            stream.acknowledge(lsn);
            freed = stream.inFlightBytes() < inFlight;
        }
        if (freed) {
            sender.wake();
        }
    }

    @Override
    public void onHeartbeat(long lsn, long sentAtNanos) {
    }

    @Override
    public void onCaughtUp(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("logger received CAUGHT_UP from fetching server " + peer);
    }

    @Override
    public void onRoster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("logger received a ROSTER from fetching server " + peer);
    }

    @Override
    public void afterFrames() {
    }

    @Override
    public void afterConnected() {
        sender.wake();
    }

    @Override
    public void onTick() {
        sender.wake();
    }

    @Override
    public long heartbeatLsn() {
        return throughLsn;
    }

    @Override
    public long heartbeatEcho() {
        return Lease.NO_ECHO;
    }
}
