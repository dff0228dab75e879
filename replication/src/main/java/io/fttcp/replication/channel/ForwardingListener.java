package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.util.List;

/** Forwards the base channel's events to the session's listener, once there is one (a fetch has none). */
final class ForwardingListener implements ChannelListener {
    private volatile ChannelListener target;
    /** The channel's close, once it came (under this monitor, with {@link #target}'s setting). */
    private CloseReason closedWith;

    /**
     * From here on {@code t} hears the channel's events. If the channel closed already (its
     * handshake deadline passed while the owner decided), {@code t} hears that now: the owner
     * may have taken it for the cluster's session, and must learn that it ended.
     */
    void attach(ChannelListener t) {
        CloseReason missed;
        synchronized (this) {
            target = t;
            missed = closedWith;
        }
        if (missed != null) t.onClosed(missed);
    }

    @Override
    public void onConnected(Handshake peer) {
        ChannelListener t = target;
        if (t != null) t.onConnected(peer);
    }

    @Override
    public void onRecords(long firstLsn, List<Record> records) {
        ChannelListener t = target;
        if (t != null) t.onRecords(firstLsn, records);
    }

    @Override
    public void onCaughtUp(long lsn) {
        ChannelListener t = target;
        if (t != null) t.onCaughtUp(lsn);
    }

    @Override
    public void onIncomplete(long lsn) {
        ChannelListener t = target;
        if (t != null) t.onIncomplete(lsn);
    }

    @Override
    public void onRoster(List<RosterEntry> entries) {
        ChannelListener t = target;
        if (t != null) t.onRoster(entries);
    }

    @Override
    public void onPeerHeartbeat(long peerLsn) {
        ChannelListener t = target;
        if (t != null) t.onPeerHeartbeat(peerLsn);
    }

    @Override
    public void onAck(long stableLsn) {
        ChannelListener t = target;
        if (t != null) t.onAck(stableLsn);
    }

    @Override
    public void onClosed(CloseReason reason) {
        ChannelListener t;
        synchronized (this) {
            closedWith = reason;
            t = target;
        }
        if (t != null) t.onClosed(reason);
    }
}
