package io.fttcp.roles.sim;

import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.stream.RecordConsumer;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.replication.stream.StreamReceiver;
import io.fttcp.sim.Scheduler;
import io.fttcp.wrappers.ssw.RecordSink;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * The primary's replication stream and a simulated backup at the other end of it, on virtual
 * time. The primary's {@link RecordStream} encodes batches of frames; each batch reaches the
 * backup after a seeded delay (with jitter, in order, like one TCP connection), where a
 * {@link FrameDecoder} and a {@link StreamReceiver} take the records in LSN order into the
 * backup's {@link BackupImage}. After each batch the backup acknowledges, after a random delay of
 * its own (a lagging backup: up to hundreds of milliseconds); the acknowledgement frame travels
 * back, and {@link RecordStream#acknowledge} makes the records stable: they enter
 * {@link #stableImage()} and the primary is told through {@link #onStable}.
 *
 * <p>Acknowledgements can be paused ({@link #pauseAcks}): the backup keeps receiving but stays
 * silent, so nothing becomes stable until {@link #resumeAcks}.
 *
 * <p>The receiving side can also play a logger that crashes ({@link #receiverCrashed}: the
 * connection drops, frames on it either way are lost, the primary sends nothing more) and
 * restarts from the records its log kept ({@link #receiverRestarted}): the primary reconnects and
 * its stream restarts from what the logger holds ({@link RecordStream#restartFrom}).
 *
 * <p>Under the continue policy ({@link #continueWhenReceiverLost}) the primary serves on
 * unprotected while the logger is down, as {@code ReplicationLog} does: records are numbered,
 * not sent, and stable at once, and every record goes to the primary's retention. When the
 * logger restarts lacking records the primary dropped meanwhile, the primary re-joins with a
 * catch-up of its retained records (a fresh stream continuing the numbering, {@link
 * RecordStream#restartWithCatchUp}), which the logger stores as a new generation of its log.
 */
final class SimReplicationLink implements RecordSink {
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final long delay, jitter, maxAckDelay;

    // ---- primary side ----
    private static final Heartbeat GAP = new Heartbeat(0, List.of());
    private RecordStream stream = new RecordStream();
    /** Continue policy: the primary's retention (every record), what it serves unprotected, and what it re-joins from. */
    private LiveRecordSet retained;
    private boolean unprotected;
    private long unprotectedLsn;
    /**
     * The last LSN the primary had handed out when it last re-joined (-1: it has not re-joined).
     * It is 0 when the logger was lost before the primary's first record: a re-join with nothing
     * to catch up, which must count as one.
     */
    private long rejoinedAt = -1;
    private Runnable onNewGeneration = () -> { };
    private LongConsumer onCaughtUp = lsn -> { };
    private final ArrayDeque<Record> notYetStable = new ArrayDeque<>();
    private final BackupImage stableImage = new BackupImage();
    private final ByteBuffer batch = ByteBuffer.allocate(256 * 1024);
    private final FrameDecoder ackDecoder = new FrameDecoder();
    private LongConsumer onStable = lsn -> { };
    private boolean flushPosted;
    private long lastBatchArrival;
    /** 0: batches leave at once; else the link's rate, and when the last batch leaves the primary. */
    private long bytesPerSecond, lastDeparture;

    // ---- backup side ----
    private BackupImage backupImage = new BackupImage();
    /** The roster of the catch-up the backup is taking (the connections it covers), as it arrived. */
    private List<RosterEntry> roster = new ArrayList<>();
    private FrameDecoder recordDecoder = new FrameDecoder();
    private StreamReceiver receiver = new StreamReceiver(0, this::backupTakes);
    /** The connection between the two sides: frames of an earlier one are lost. */
    private long connection;
    /** The receiving side is down or the primary has not reconnected yet: the primary sends nothing. */
    private boolean disconnected;
    private RecordConsumer backupApplication = (lsn, record) -> { };
    private Runnable afterBatch = () -> { };
    /** The primary died: nothing more leaves it, and acknowledgements to it are lost. */
    private boolean primaryDead;
    /** The backup took over: it applies nothing more and acknowledges nothing more. */
    private boolean backupDetached;
    private long lastAckSentAt = Long.MIN_VALUE, ackedLsn;
    private final FrameEncoder ackEncoder = new FrameEncoder();
    private boolean acksPaused;
    private long lastAckArrival;
    private long batches, acks, frameBytes;

    // ---- false takeovers (FalseTakeoverWorld): the primary's events, cuts, prompt echoes ----
    /** Owner of the primary side's events (its host incarnation, so that a freeze defers them), or null. */
    private Object primaryOwner;
    /** Each direction can be cut; what is sent meanwhile waits (TCP retransmits it) until {@link #heal}. */
    private boolean toBackupCut, toPrimaryCut;
    private final ArrayDeque<Runnable> heldToBackup = new ArrayDeque<>(), heldToPrimary = new ArrayDeque<>();
    /** The backup answers every batch at once with the batch's send time (its lease echo), besides its acknowledgements. */
    private boolean echoes;
    private LongConsumer onEcho = sentAt -> { };
    private long lastBatchReceivedAt = Long.MIN_VALUE, lastHeardByPrimaryAt = Long.MIN_VALUE, echoesSent;

    /**
     * @param delay       one-way delay of the replication link, each way (ns)
     * @param jitter      extra random delay per batch, 0..jitter (order is kept)
     * @param maxAckDelay the backup waits 0..maxAckDelay after a batch before acknowledging it
     */
    SimReplicationLink(Scheduler scheduler, SplittableRandom random, long delay, long jitter, long maxAckDelay) {
        this.scheduler = scheduler;
        this.random = random;
        this.delay = delay;
        this.jitter = jitter;
        this.maxAckDelay = maxAckDelay;
        stream.addStabilityListener(this::makeStable);
    }

    /**
     * The continue policy: a lost receiver leaves the primary serving unprotected, and a receiver
     * that restarts lacking records gets a catch-up, which {@code newGeneration} and
     * {@code caughtUp} hear about (the logger starts a new generation of its log).
     */
    void continueWhenReceiverLost(Runnable newGeneration, LongConsumer caughtUp) {
        if (stream.lastLsn() > 0) throw new IllegalStateException("choose the policy before the first record");
        retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        onNewGeneration = newGeneration;
        onCaughtUp = caughtUp;
    }

    boolean unprotected() {
        return unprotected;
    }

    /** Protected again after a re-join: the logger acknowledged its catch-up (and the primary sent it all). */
    boolean reprotected() {
        return rejoinedAt >= 0 && !unprotected && !disconnected && !stream.catchingUp() && ackedLsn >= rejoinedAt;
    }

    /** The last LSN the primary had handed out when it last re-joined, or -1 if it has not (then also while it waits for the answer). */
    long rejoinedAt() {
        return rejoinedAt;
    }

    /** The continue policy's state, for failure messages. */
    String rejoinState() {
        return (rejoinedAt < 0 ? "not re-joined" : "re-joined after LSN " + rejoinedAt) + (unprotected ? ", unprotected" : "")
                + (disconnected ? ", disconnected" : "") + (stream.catchingUp() ? ", catching up" : "") + ", logger acked " + ackedLsn;
    }

    /** Told the new stable LSN after each acknowledgement, after {@link #stableImage()} took the records. */
    void onStable(LongConsumer onStable) {
        this.onStable = onStable;
    }

    // ---- RecordSink --------------------------------------------------------------------------

    @Override
    public long append(Record record, long now) {
        if (unprotected) {
            long lsn = ++unprotectedLsn;
            stableImage.accept(lsn, record);
            retained.add(lsn, record);
            return lsn;
        }
        long lsn = stream.append(record);
        if (retained != null) retained.add(lsn, record);
        notYetStable.addLast(record);
        if (!flushPosted) {
            flushPosted = true; // batch what is appended at this instant
            scheduler.schedule(scheduler.now(), this::flush, primaryOwner);
        }
        return lsn;
    }

    @Override
    public long stableLsn() {
        return unprotected ? Long.MAX_VALUE : stream.stableLsn();
    }

    long lastLsn() {
        return unprotected ? unprotectedLsn : stream.lastLsn();
    }

    // ---- primary -> backup -------------------------------------------------------------------

    private void flush() {
        flushPosted = false;
        if (primaryDead) return; // records still in the dead primary's buffers never leave it
        if (disconnected) return; // they wait, unsent, for the next connection
        while (stream.hasUnsent()) {
            batch.clear();
            stream.writeBatch(batch);
            batch.flip();
            byte[] frames = new byte[batch.remaining()];
            batch.get(frames);
            frameBytes += frames.length;
            batches++;
            if (bytesPerSecond > 0) {
                departLater(frames);
                continue;
            }
            long arrival = Math.max(lastBatchArrival, scheduler.now() + delay + (jitter > 0 ? random.nextLong(jitter + 1) : 0));
            lastBatchArrival = arrival;
            long on = connection, sentAt = scheduler.now();
            toBackup(arrival, () -> {
                if (on == connection) backupReceives(frames, sentAt);
            });
        }
    }

    /**
     * A limited link (see {@link #limitBandwidth}): the batch leaves the primary once the batches
     * before it have, at the link's rate; the primary's death before then keeps it (and every
     * later one) in its buffers, as a host's power loss does, so a long catch-up breaks off.
     */
    private void departLater(byte[] frames) {
        long departs = Math.max(lastDeparture, scheduler.now()) + frames.length * 1_000_000_000L / bytesPerSecond;
        lastDeparture = departs;
        long on = connection, sentAt = scheduler.now();
        scheduler.schedule(departs, () -> {
            if (primaryDead || on != connection) return;
            long arrival = Math.max(lastBatchArrival, scheduler.now() + delay + (jitter > 0 ? random.nextLong(jitter + 1) : 0));
            lastBatchArrival = arrival;
            toBackup(arrival, () -> {
                if (on == connection) backupReceives(frames, sentAt);
            });
        }, primaryOwner);
    }

    /** Batches leave the primary at most at {@code bytesPerSecond} (unlimited unless set; set before the first record). */
    void limitBandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    private void backupReceives(byte[] frames, long sentAt) {
        if (backupDetached) return;
        lastBatchReceivedAt = scheduler.now();
        try {
            ByteBuffer in = ByteBuffer.wrap(frames);
            recordDecoder.decodeAll(in, new Handler() {
                @Override
                public void onRecord(long lsn, Record record) throws ReplicationProtocolException {
                    receiver.receive(lsn, record);
                }

                @Override
                public void onRoster(long lsn, List<RosterEntry> entries) {
                    roster.addAll(entries);
                }

                @Override
                public void onCaughtUp(long lsn) throws ReplicationProtocolException {
                    receiver.caughtUp(lsn);
                    while (backupImage.lastLsn() < lsn) backupImage.accept(backupImage.lastLsn() + 1, GAP);
                    onCaughtUp.accept(lsn);
                }
            });
            if (in.hasRemaining()) throw new IllegalStateException(in.remaining() + " bytes of a partial frame in a whole batch");
        } catch (ReplicationProtocolException e) {
            throw new IllegalStateException("the backup refused the primary's stream", e);
        }
        afterBatch.run();
        if (!acksPaused) acknowledgeLater();
        if (echoes && !acksPaused) echo(sentAt);
    }

    /** The backup's prompt answer to a batch: the primary's lease runs from {@code sentAt} (its own clock). */
    private void echo(long sentAt) {
        lastAckSentAt = scheduler.now(); // renews the lease as an acknowledgement does: the backup waits it out from here
        echoesSent++;
        long arrival = Math.max(lastAckArrival, scheduler.now() + delay + (jitter > 0 ? random.nextLong(jitter + 1) : 0));
        lastAckArrival = arrival;
        long on = connection;
        toPrimary(arrival, () -> {
            if (on != connection || primaryDead) return;
            lastHeardByPrimaryAt = scheduler.now();
            onEcho.accept(sentAt);
        });
    }

    private void toBackup(long arrival, Runnable atBackup) {
        if (toBackupCut) heldToBackup.addLast(atBackup);
        else scheduler.schedule(arrival, atBackup);
    }

    private void toPrimary(long arrival, Runnable atPrimary) {
        if (toPrimaryCut) heldToPrimary.addLast(atPrimary);
        else scheduler.schedule(arrival, atPrimary, primaryOwner);
    }

    /** The primary side's events (flushes, acknowledgements and echoes arriving) belong to {@code owner}, so that freezing it defers them. */
    void primaryOwnedBy(Object owner) {
        this.primaryOwner = owner;
    }

    /** The backup echoes each batch's send time at once; {@code onEcho} hears it on the primary (the lease's renewal). */
    void echoBatches(LongConsumer onEcho) {
        this.echoes = true;
        this.onEcho = onEcho;
    }

    /** Cuts the link toward the backup and/or toward the primary; what is sent meanwhile waits for {@link #heal}. */
    void cut(boolean towardBackup, boolean towardPrimary) {
        toBackupCut |= towardBackup;
        toPrimaryCut |= towardPrimary;
    }

    /** The link works again both ways: what waited is delivered, in order, a link delay from now. */
    void heal() {
        toBackupCut = toPrimaryCut = false;
        long at = Math.max(lastBatchArrival, scheduler.now() + delay);
        lastBatchArrival = at;
        while (!heldToBackup.isEmpty()) scheduler.schedule(at, heldToBackup.removeFirst());
        at = Math.max(lastAckArrival, scheduler.now() + delay);
        lastAckArrival = at;
        while (!heldToPrimary.isEmpty()) scheduler.schedule(at, heldToPrimary.removeFirst(), primaryOwner);
    }

    /** A control message (a REJECT: the sender gives up on the channel) to the backup, in order with the records. */
    void signalBackup(Runnable atBackup) {
        long on = connection;
        long arrival = Math.max(lastBatchArrival, scheduler.now() + delay);
        lastBatchArrival = arrival;
        toBackup(arrival, () -> {
            if (on == connection) atBackup.run();
        });
    }

    /** A control message to the primary, in order with the acknowledgements. */
    void signalPrimary(Runnable atPrimary) {
        long on = connection;
        long arrival = Math.max(lastAckArrival, scheduler.now() + delay);
        lastAckArrival = arrival;
        toPrimary(arrival, () -> {
            if (on == connection && !primaryDead) atPrimary.run();
        });
    }

    /** When the backup last received a batch (Long.MIN_VALUE: never). */
    long lastBatchReceivedAt() {
        return lastBatchReceivedAt;
    }

    /** When the primary last heard from the backup (an acknowledgement or an echo; Long.MIN_VALUE: never). */
    long lastHeardByPrimaryAt() {
        return lastHeardByPrimaryAt;
    }

    long echoesSent() {
        return echoesSent;
    }

    private void backupTakes(long lsn, Record record) {
        while (backupImage.lastLsn() + 1 < lsn && receiver.catchingUp()) backupImage.accept(backupImage.lastLsn() + 1, GAP); // a catch-up's gaps
        backupImage.accept(lsn, record);
        backupApplication.accept(lsn, record);
    }

    /** The backup's consumer of each record it receives (in LSN order), and what runs after each batch. */
    void onBackupRecord(RecordConsumer consumer, Runnable afterBatch) {
        this.backupApplication = consumer;
        this.afterBatch = afterBatch;
    }

    /** The primary crashed: its unsent records are lost, frames already sent still arrive, acknowledgements to it are lost. */
    void primaryCrashed() {
        primaryDead = true;
    }

    /** The backup took over: later frames from the old primary are ignored and it acknowledges nothing more. */
    void detachBackup() {
        backupDetached = true;
    }

    /** When the backup last sent an acknowledgement (each one renews the primary's lease), or Long.MIN_VALUE. */
    long lastAckSentAt() {
        return lastAckSentAt;
    }

    /** The highest LSN the backup has acknowledged (the primary may not have heard of it yet). */
    long ackedLsn() {
        return ackedLsn;
    }

    // ---- backup -> primary -------------------------------------------------------------------

    private void acknowledgeLater() {
        long wait = maxAckDelay > 0 ? random.nextLong(maxAckDelay + 1) : 0;
        scheduler.after(wait, this::sendAck);
    }

    private void sendAck() {
        if (acksPaused || backupDetached || disconnected || !receiver.ackDue()) return;
        long lsn = receiver.takeAck();
        lastAckSentAt = scheduler.now();
        ackedLsn = lsn;
        ByteBuffer out = ByteBuffer.allocate(64);
        ackEncoder.encodeAck(lsn, 0, out);
        out.flip();
        byte[] frame = Arrays.copyOf(out.array(), out.limit());
        acks++;
        long arrival = Math.max(lastAckArrival, scheduler.now() + delay + (jitter > 0 ? random.nextLong(jitter + 1) : 0));
        lastAckArrival = arrival;
        long on = connection;
        toPrimary(arrival, () -> {
            if (on == connection) primaryReceivesAck(frame);
        });
    }

    private void primaryReceivesAck(byte[] frame) {
        if (primaryDead) return;
        lastHeardByPrimaryAt = scheduler.now();
        try {
            ackDecoder.decodeAll(ByteBuffer.wrap(frame), new Handler() {
                @Override
                public void onAck(long lsn, long echoNanos) throws ReplicationProtocolException {
                    stream.acknowledge(lsn);
                }
            });
        } catch (ReplicationProtocolException e) {
            throw new IllegalStateException("the primary refused the backup's acknowledgement", e);
        }
    }

    /** Stability listener: the newly stable records enter the stable image, then the primary hears of it. */
    private void makeStable(long stableLsn) {
        while (stableImage.lastLsn() < stableLsn) {
            stableImage.accept(stableImage.lastLsn() + 1, notYetStable.removeFirst());
        }
        onStable.accept(stableLsn);
    }

    /**
     * The receiving side (a logger) crashes: the connection drops, frames on it either way are
     * lost, and the primary holds what it appends (unsent) and what it sent and had no
     * acknowledgement for, until {@link #receiverRestarted}.
     */
    void receiverCrashed() {
        connection++;
        disconnected = true;
        if (retained != null && !primaryDead) {
            // Continue: what is in flight counts as stable, and so does everything appended from now on.
            unprotected = true;
            unprotectedLsn = stream.lastLsn();
            while (!notYetStable.isEmpty()) stableImage.accept(stableImage.lastLsn() + 1, notYetStable.removeFirst());
            // As PrimaryHost's pump: the wrapper is told the last LSN, never "everything" (it keeps the highest it hears).
            long told = unprotectedLsn;
            scheduler.after(0, () -> onStable.accept(told));
        }
    }

    /**
     * The receiving side restarts holding {@code held} (LSNs 1 to its size, as its log recovered
     * them; at least everything it had acknowledged): its image is rebuilt from them, and the
     * primary, if alive, reconnects: the logger's handshake (sent one link delay from now; like
     * an acknowledgement, it renews the primary's lease) says what it holds, the primary's stream
     * restarts from there ({@link RecordStream#restartFrom}: what the logger holds counts as
     * acknowledged, the rest is sent again) one more delay later.
     */
    void receiverRestarted(List<Record> held) {
        long heldLsn = held.size();
        if (heldLsn < ackedLsn) throw new IllegalStateException("the logger lost acknowledged records: it holds " + heldLsn + " of " + ackedLsn);
        connection++;
        lastBatchArrival = 0; // a new connection: nothing of the old one is still on its way
        lastAckArrival = 0;
        backupImage = new BackupImage();
        for (int i = 0; i < held.size(); i++) backupImage.accept(i + 1, held.get(i));
        recordDecoder = new FrameDecoder();
        receiver = new StreamReceiver(heldLsn, this::backupTakes);
        if (primaryDead || backupDetached) return;
        long on = connection;
        if (unprotected) {
            rejoinLater(on, heldLsn);
            return;
        }
        scheduler.after(delay, () -> {
            if (on != connection || primaryDead || backupDetached) return;
            ackedLsn = heldLsn;
            lastAckSentAt = scheduler.now();
            scheduler.after(delay, () -> {
                if (on != connection || primaryDead) return;
                try {
                    stream.restartFrom(heldLsn);
                } catch (ReplicationProtocolException e) {
                    throw new IllegalStateException("the primary could not restart its stream from LSN " + heldLsn, e);
                }
                disconnected = false;
                flush();
            });
        });
    }

    /**
     * The unprotected primary dials the restarted logger: at its answer (one delay from now) it
     * switches to a fresh stream continuing its numbering; if it dropped records the logger lacks,
     * the logger starts a new generation and is sent a catch-up of the retained records first.
     */
    private void rejoinLater(long on, long heldLsn) {
        scheduler.after(2 * delay, () -> {
            if (on != connection || primaryDead) return;
            long dropped = unprotectedLsn;
            unprotected = false;
            stream = new RecordStream();
            stream.addStabilityListener(this::makeStable);
            stream.resetTo(dropped);
            ackedLsn = heldLsn;
            lastAckSentAt = scheduler.now();
            if (dropped > heldLsn) {
                onNewGeneration.run();
                backupImage = new BackupImage();
                roster = new ArrayList<>();
                receiver = new StreamReceiver(0, this::backupTakes);
                receiver.expectCatchUp(dropped + 1);
                stream.restartWithCatchUp(retained.snapshot(dropped));
            } else {
                try {
                    stream.restartFrom(heldLsn);
                } catch (ReplicationProtocolException e) {
                    throw new IllegalStateException("the primary could not restart its stream from LSN " + heldLsn, e);
                }
            }
            rejoinedAt = dropped;
            disconnected = false;
            flush();
        });
    }

    /** The backup stops acknowledging (it keeps receiving). */
    void pauseAcks() {
        acksPaused = true;
    }

    /** The backup acknowledges again, at once, everything it holds. */
    void resumeAcks() {
        acksPaused = false;
        scheduler.after(0, this::sendAck);
    }

    /** The roster of the backup's catch-up, as much of it as arrived. */
    List<RosterEntry> roster() {
        return roster;
    }

    /** What the backup has received (whether acknowledged or not). */
    BackupImage backupImage() {
        return backupImage;
    }

    /** The records the primary knows to be stable (every LSN up to {@link #stableLsn()}). */
    BackupImage stableImage() {
        return stableImage;
    }

    long batches() {
        return batches;
    }

    long acks() {
        return acks;
    }

    long frameBytes() {
        return frameBytes;
    }

    /** Frames this link never expects: any of them fails the run. */
    private abstract static class Handler implements FrameHandler {
        @Override
        public void onRecord(long lsn, Record record) throws ReplicationProtocolException {
            throw new ReplicationProtocolException("unexpected record " + lsn);
        }

        @Override
        public void onHandshake(Handshake handshake) throws ReplicationProtocolException {
            throw new ReplicationProtocolException("unexpected handshake");
        }

        @Override
        public void onReject(String reason) throws ReplicationProtocolException {
            throw new ReplicationProtocolException("unexpected reject: " + reason);
        }

        @Override
        public void onAck(long lsn, long echoNanos) throws ReplicationProtocolException {
            throw new ReplicationProtocolException("unexpected ack " + lsn);
        }

        @Override
        public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) throws ReplicationProtocolException {
            throw new ReplicationProtocolException("unexpected heartbeat");
        }
    }
}
