package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Records what a channel reports, for assertions from the test thread. */
final class Recorder implements ChannelListener {
    final CompletableFuture<Handshake> connected = new CompletableFuture<>();
    final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    final List<Record> records = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong nextLsn = new AtomicLong(1);
    final AtomicLong lastAck = new AtomicLong();
    final AtomicInteger heartbeats = new AtomicInteger();
    final AtomicInteger closeCalls = new AtomicInteger();
    volatile long closedAtNanos;
    volatile long lastHeartbeatNanos;
    volatile long maxHeartbeatGapNanos;
    volatile String orderError;

    @Override
    public void onConnected(Handshake peer) {
        connected.complete(peer);
    }

    @Override
    public void onRecords(long firstLsn, List<Record> batch) {
        if (firstLsn != nextLsn.get()) {
            orderError = "batch starts at " + firstLsn + ", expected " + nextLsn.get();
        }
        nextLsn.addAndGet(batch.size());
        records.addAll(batch);
    }

    @Override
    public void onAck(long stableLsn) {
        if (stableLsn <= lastAck.get()) {
            orderError = "ack went from " + lastAck.get() + " to " + stableLsn;
        }
        lastAck.set(stableLsn);
    }

    @Override
    public void onPeerHeartbeat(long peerLsn) {
        long now = System.nanoTime();
        if (heartbeats.incrementAndGet() > 1) {
            maxHeartbeatGapNanos = Math.max(maxHeartbeatGapNanos, now - lastHeartbeatNanos);
        }
        lastHeartbeatNanos = now;
    }

    @Override
    public void onClosed(CloseReason reason) {
        closedAtNanos = System.nanoTime();
        closeCalls.incrementAndGet();
        closed.complete(reason);
    }
}
