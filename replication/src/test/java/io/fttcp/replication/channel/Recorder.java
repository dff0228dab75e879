package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records what a channel reports, for assertions from the test thread. Batches must follow each
 * other without gaps, except before {@link #onCaughtUp} (a catch-up's LSNs only increase).
 */
final class Recorder implements ChannelListener {
    final CompletableFuture<Handshake> connected = new CompletableFuture<>();
    final CompletableFuture<Long> caughtUp = new CompletableFuture<>();
    /** The LSN of each record in {@link #records}. */
    final List<Long> lsns = Collections.synchronizedList(new ArrayList<>());
    /** connected, records, caught-up, closed: in the order they came. */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
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
        events.add("connected");
        connected.complete(peer);
    }

    @Override
    public void onRecords(long firstLsn, List<Record> batch) {
        boolean catchingUp = !caughtUp.isDone();
        if (catchingUp ? firstLsn < nextLsn.get() : firstLsn != nextLsn.get()) {
            orderError = "batch starts at " + firstLsn + ", expected " + (catchingUp ? "at least " : "") + nextLsn.get();
        }
        if (batch.isEmpty()) {
            orderError = "empty batch at " + firstLsn;
        }
        if (events.isEmpty() || !events.getLast().equals("records")) {
            events.add("records");
        }
        nextLsn.set(firstLsn + batch.size());
        for (int i = 0; i < batch.size(); i++) {
            lsns.add(firstLsn + i);
        }
        records.addAll(batch);
    }

    @Override
    public void onIncomplete(long lsn) {
        if (!records.isEmpty() || caughtUp.isDone()) {
            orderError = "INCOMPLETE after the catch-up's records";
        }
        events.add("incomplete " + lsn);
    }

    /** The roster's entries, as they came. */
    final List<RosterEntry> roster = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onRoster(List<RosterEntry> entries) {
        if (!records.isEmpty() || caughtUp.isDone()) {
            orderError = "a roster after the catch-up's records";
        }
        if (events.isEmpty() || !events.getLast().equals("roster")) {
            events.add("roster");
        }
        roster.addAll(entries);
    }

    @Override
    public void onCaughtUp(long lsn) {
        events.add("caught-up " + lsn);
        if (caughtUp.isDone()) {
            orderError = "second onCaughtUp(" + lsn + ")";
        }
        if (lsn < nextLsn.get() - 1) {
            orderError = "caught up at " + lsn + " after records up to " + (nextLsn.get() - 1);
        }
        nextLsn.set(lsn + 1);
        caughtUp.complete(lsn);
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
        events.add("closed");
        closed.complete(reason);
    }
}
