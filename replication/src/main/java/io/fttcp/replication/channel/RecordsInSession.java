package io.fttcp.replication.channel;

import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A primary's records, stored by the owner and acknowledged when it says so. */
final class RecordsInSession implements LoggerSession {
    private final LoggerChannel channel;
    final RecordIntake intake;
    final ChannelListener listener;
    private final Object ackGuard = new Object();
    volatile long acknowledged;
    /**
     * When this side received the latest primary heartbeat it has echoed, or {@link Lease#NO_ECHO}.
     * Only ever raised (several threads send echoes).
     */
    final AtomicLong lastEchoedReceipt = new AtomicLong(Lease.NO_ECHO);
    /** The latest primary heartbeat, null before the first: its time and our receipt, read together. */
    private volatile HeartbeatHeard latestHeartbeat;
    /** An acknowledgement not yet sent (set by the owner; cleared by whoever sends it). */
    private volatile boolean ackPending;
    private boolean echoDue;
    private final ReplicationChannel.LockedWrite owedAck = this::sendOwedAckLocked;

    RecordsInSession(LoggerChannel channel, LoggerSessions.Join join) {
        this.channel = channel;
        this.listener = join.listener();
        this.acknowledged = join.heldLsn();
        this.intake = new RecordIntake(join.heldLsn(), channel, join.listener());
    }

    /** Any thread. */
    void acknowledge(long durableLsn) {
        synchronized (ackGuard) {
            long received = intake.deliveredLsn();
            if (durableLsn > received) {
                throw new IllegalArgumentException("acknowledging LSN " + durableLsn + " but only " + received
                        + " were received from " + channel.peer);
            }
            if (durableLsn <= acknowledged) {
                return;
            }
            acknowledged = durableLsn;
        }
        ackPending = true;
        if (channel.isClosed()) {
            return;
        }
        try {
            channel.writeOrLeaveToTicker(false, owedAck);
        } catch (IOException e) {
            channel.failWith(CloseReason.Kind.PEER_CLOSED, "acknowledging to " + channel.peer + " failed: " + e.getMessage(), e);
        }
    }

    /** An ACK of what is stored, echoing the latest primary heartbeat, if one is owed: the caller holds the write lock. */
    private void sendOwedAckLocked() throws IOException {
        if (ackPending) {
            ackPending = false;
            channel.sendAck(acknowledged, heartbeatEcho());
        }
    }

    @Override
    public void onRecord(long lsn, Record record) throws ReplicationProtocolException {
        intake.receive(lsn, record);
    }

    @Override
    public void onAck(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("logger received an ACK from primary " + channel.peer + "; acknowledgements flow only to the primary");
    }

    @Override
    public void onHeartbeat(long lsn, long sentAtNanos) {
        latestHeartbeat = new HeartbeatHeard(sentAtNanos, System.nanoTime());
        echoDue = true;
        channel.notifySafely(() -> listener.onPeerHeartbeat(lsn));
    }

    @Override
    public void onCaughtUp(long lsn) throws ReplicationProtocolException {
        intake.caughtUp(lsn);
    }

    @Override
    public void onRoster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        intake.roster(lsn, entries);
    }

    /**
     * Hands the records over; answers a heartbeat at once, so the lease never waits for the disk.
     * Never waits for another writer: the ticker sends what is owed then ({@link ReplicationChannel#writeOrLeaveToTicker}).
     */
    @Override
    public void afterFrames() throws IOException {
        intake.deliver();
        if (!echoDue && !ackPending) {
            return;
        }
        echoDue = false;
        ackPending = true;
        channel.writeOrLeaveToTicker(false, owedAck);
    }

    @Override
    public void afterConnected() {
        intake.afterConnected();
    }

    @Override
    public void onTick() throws IOException {
        if (ackPending) {
            channel.writeOrLeaveToTicker(true, owedAck);
        }
    }

    @Override
    public long heartbeatLsn() {
        return acknowledged;
    }

    /**
     * Every frame that carries the echo goes out right after this: note the echoed heartbeat's
     * receipt. The primary's lease runs from the heartbeat's sending, which came before.
     */
    @Override
    public long heartbeatEcho() {
        HeartbeatHeard h = latestHeartbeat;
        if (h == null) {
            return Lease.NO_ECHO;
        }
        lastEchoedReceipt.accumulateAndGet(h.receivedAt(), Math::max);
        return h.sentAt();
    }

    /** A primary heartbeat's time (the primary's clock) and when this side received it (ours). */
    private record HeartbeatHeard(long sentAt, long receivedAt) {
    }
}
