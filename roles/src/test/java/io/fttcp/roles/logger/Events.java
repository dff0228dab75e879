package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** What one channel reported: its handshake answer, records received (with LSNs), the caught-up signal, acks, how it closed (also a recovery's fetch in the primary's tests). */
public final class Events implements ChannelListener {
    public final CompletableFuture<Handshake> connected = new CompletableFuture<>();
    public final CompletableFuture<Long> caughtUp = new CompletableFuture<>();
    public final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    /** A fetch's INCOMPLETE frame: its records through this LSN are behind their clients (see IncompleteMark). */
    public final CompletableFuture<Long> incomplete = new CompletableFuture<>();
    public final List<LoggedRecord> records = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong lastAck = new AtomicLong();
    /** When (System.nanoTime()) the handshake answer arrived. */
    volatile long connectedAt;
    /** When it closed. */
    volatile long closedAt;

    @Override
    public void onConnected(Handshake peer) {
        connectedAt = System.nanoTime();
        connected.complete(peer);
    }

    @Override
    public void onRecords(long firstLsn, List<Record> batch) {
        long lsn = firstLsn;
        for (Record r : batch) records.add(new LoggedRecord(lsn++, r));
    }

    @Override
    public void onCaughtUp(long lsn) {
        caughtUp.complete(lsn);
    }

    @Override
    public void onIncomplete(long lsn) {
        incomplete.complete(lsn);
    }

    @Override
    public void onAck(long stableLsn) {
        lastAck.accumulateAndGet(stableLsn, Math::max);
    }

    @Override
    public void onClosed(CloseReason reason) {
        closedAt = System.nanoTime();
        closed.complete(reason);
    }

    List<LoggedRecord> received() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }
}
