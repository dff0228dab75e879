package io.fttcp.roles.sim;

import io.fttcp.replication.channel.CloseReason;
import io.fttcp.roles.backup.PrimaryLoss;
import io.fttcp.roles.ClaimWindow;
import io.fttcp.roles.StaleCopy;
import io.fttcp.roles.primary.BackupLoss;

import java.util.SplittableRandom;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;

/**
 * A false takeover: the primary is alive when the backup takes over. A {@link FailoverWorld}
 * whose replication link renews a real lease (the backup echoes each batch's send time at once;
 * the primary's wrapper is fenced from the echoed time plus {@link FailoverWorld#LEASE} on), and
 * whose two sides decide as the roles do ({@link BackupLoss} on the primary, {@link PrimaryLoss}
 * on the backup, both real):
 * <ul>
 *   <li>each side gives up the channel after the detection timeout of silence and tells the
 *       other (a REJECT, in order with what it sent: it arrives only if that direction works);</li>
 *   <li>the backup, finding the primary silent, takes over as in the crash case (waiting out the
 *       lease); told by the primary that it gave up, it stops for good;</li>
 *   <li>the primary, on losing the channel, continues unprotected while its lease is valid, or
 *       else stays fenced for the claim window listening for the backup's announcement; on
 *       hearing the service address announced (an address conflict on its interface, checked
 *       at every pump tick, as the primary's pump does) it steps down for good.</li>
 * </ul>
 * Faults: {@link #cut} the replication link (either or both directions, for good or until
 * {@link #heal}), or {@link #freeze} the primary's host (nothing it does happens until the thaw;
 * frames to it wait; its timers fire late), or {@link #isolateBackup}: the backup's host loses
 * its link (it knows: no carrier) and, finding the primary silent, waits for the link instead of
 * taking over; when it is back ({@link #backupLinkBack}) it asks the primary, stops if it lives,
 * and else takes over, restoring nothing if it last heard the primary over a claim window before
 * ({@link StaleCopy}, as BackupHost).
 */
final class FalseTakeoverWorld {
    static final long WATCH_INTERVAL = 2 * MS;

    enum Role { PROTECTED, AWAITING_CLAIM, UNPROTECTED, STEPPED_DOWN }

    final FailoverWorld f;
    final PrimaryWorld world;
    final SimReplicationLink log;
    final long detectionTimeout;
    Role role = Role.PROTECTED;
    /** The primary's lease (0: not yet granted, expired). */
    long leaseUntil;
    /** The backup gave up the channel: found the primary silent (then takes over) or was told (then stops). */
    boolean backupGaveUp, backupStopped;
    long backupDetectedAt = -1, primaryGaveUpAt = -1, steppedDownAt = -1, unprotectedAt = -1;
    /** The backup's host lost its link ({@link #isolateBackup}); it found the primary silent meanwhile and waits for the link. */
    boolean backupIsolated, backupCutOff;
    /** When the backup last heard the primary before it was cut off. */
    long backupLastHeardAt = Long.MIN_VALUE;
    String primaryVerdict;
    private long lastTick, lastStallEnd = Long.MIN_VALUE, lastLeaseValidAt, conflictsSeen;
    final StringBuilder events = new StringBuilder();

    FalseTakeoverWorld(FailoverWorld f) {
        this.f = f;
        this.world = f.world;
        this.log = world.log;
        this.detectionTimeout = f.detectionTimeout;
        log.primaryOwnedBy(world.primary.incarnation());
        log.echoBatches(this::echoHeard);
        setLease(0);
        lastTick = world.sim.now();
        world.primary.incarnation().after(FailoverWorld.HEARTBEAT_INTERVAL, this::pumpTick);
        world.sim.scheduler().after(WATCH_INTERVAL, this::backupWatch);
    }

    /**
     * The detection timeout of a world with a real lease: at least the lease plus a margin (as
     * ChannelConfig requires), at most 150 ms (the default).
     */
    static long detectionTimeout(SplittableRandom r) {
        return r.nextLong(FailoverWorld.LEASE + 20 * MS, 150 * MS + 1);
    }

    private void note(String what) {
        events.append(world.sim.now() / MS).append(" ms ").append(what).append("; ");
    }

    // ---- faults ----

    void cut(boolean towardBackup, boolean towardPrimary) {
        note("cut" + (towardBackup ? " >backup" : "") + (towardPrimary ? " >primary" : ""));
        log.cut(towardBackup, towardPrimary);
    }

    void heal() {
        note("healed");
        log.heal();
    }

    /** The backup's host loses its link: the replication link is cut both ways, and the backup knows it is its own isolation. */
    void isolateBackup() {
        note("backup's link DOWN");
        backupIsolated = true;
        log.cut(true, true);
    }

    /**
     * The backup's link is back (and settled): it asks the primary, which answers if it lives
     * (the backup stops), else it takes over, from a copy it trusts only if it heard the primary
     * less than a claim window ago.
     */
    void backupLinkBack() {
        note("backup's link UP");
        log.heal();
        backupIsolated = false;
        if (!backupCutOff) return;
        if (f.crashedAt < 0) {
            note("backup asks: the primary answers; backup stops");
            backupStopped = true;
            return;
        }
        f.staleCopy = StaleCopy.possible(backupLastHeardAt, world.sim.now(), claimWindow());
        note("backup asks: no answer; takes over" + (f.staleCopy ? " restoring nothing (stale copy)" : ""));
        f.detect();
    }

    long claimWindow() {
        return ClaimWindow.nanos(detectionTimeout);
    }

    long thawAt;

    void freeze(long duration) {
        thawAt = world.sim.now() + duration;
        note("primary frozen for " + duration / MS + " ms");
        world.primary.freezeUntil(world.sim.now() + duration);
    }

    // ---- the primary ----

    private void setLease(long until) {
        leaseUntil = until;
        world.primary.call(() -> world.primary.ssw().setLeaseUntil(until));
        world.checker.leaseUntil(until);
    }

    private void echoHeard(long sentAt) {
        if (role != Role.PROTECTED) return;
        long until = sentAt + FailoverWorld.LEASE;
        if (until > leaseUntil) {
            setLease(until);
            // As the primary's onAck: the renewed lease may release what waited while it had expired.
            world.primary.stable(log.stableLsn());
        }
    }

    /** The primary's pump and its channel's ticker, every heartbeat interval (late after a freeze). */
    private void pumpTick() {
        long now = world.sim.now();
        if (now - lastTick > 2 * detectionTimeout) lastStallEnd = now; // StallWatch
        lastTick = now;
        if (role == Role.PROTECTED && now < leaseUntil || role == Role.UNPROTECTED) lastLeaseValidAt = now;
        long conflicts = world.primary.ethernet().stats().addressConflicts();
        if (conflicts > conflictsSeen && role != Role.STEPPED_DOWN) {
            conflictsSeen = conflicts;
            stepDown();
        }
        long heard = log.lastHeardByPrimaryAt() == Long.MIN_VALUE ? 0 : log.lastHeardByPrimaryAt();
        if (role == Role.PROTECTED && now - heard >= detectionTimeout) {
            log.signalBackup(this::backupToldPrimaryGaveUp); // REJECT: "heard nothing from you"
            primaryLost(CloseReason.Kind.PEER_SILENT);
        }
        if (role != Role.STEPPED_DOWN) world.primary.incarnation().after(FailoverWorld.HEARTBEAT_INTERVAL, this::pumpTick);
    }

    private void primaryLost(CloseReason.Kind why) {
        if (role != Role.PROTECTED) return;
        long now = world.sim.now();
        primaryGaveUpAt = now;
        boolean stalled = lastStallEnd != Long.MIN_VALUE && lastStallEnd >= lastLeaseValidAt;
        boolean leaseValid = now < leaseUntil;
        BackupLoss.Verdict v = BackupLoss.decide(true, leaseValid); // as PrimaryHost: the backup completed its handshake
        primaryVerdict = why + (stalled ? " (stalled)" : "") + " -> " + v;
        note("primary lost the channel: " + primaryVerdict);
        switch (v) {
            case AWAIT_CLAIM -> {
                role = Role.AWAITING_CLAIM; // fenced: its lease expired and is never renewed
                world.primary.incarnation().after(claimWindow(), () -> {
                    if (role == Role.AWAITING_CLAIM) unprotected();
                });
            }
            case CONTINUE_UNPROTECTED, KEEP_WAITING -> unprotected();
        }
    }

    private void unprotected() {
        role = Role.UNPROTECTED;
        unprotectedAt = world.sim.now();
        note("primary continues UNPROTECTED");
        world.checker.unprotected();
        world.checker.leaseUntil(Long.MAX_VALUE);
        leaseUntil = Long.MAX_VALUE;
        world.primary.call(() -> world.primary.ssw().setLeaseUntil(Long.MAX_VALUE));
        world.primary.stable(Long.MAX_VALUE);
    }

    private void stepDown() {
        role = Role.STEPPED_DOWN;
        steppedDownAt = world.sim.now();
        note("primary STEPS DOWN");
        world.checker.fenced(true);
        world.primary.call(() -> {
            world.primary.ssw().setFenced(true);
            world.primary.ethernet().removeAddress(PrimaryWorld.SERVICE_ADDRESS);
        });
    }

    /** The backup's REJECT reached the primary: the backup gave up on it. */
    private void primaryToldBackupGaveUp() {
        note("primary told: the backup gave up");
        primaryLost(CloseReason.Kind.PEER_ABORTED);
    }

    // ---- the backup ----

    private void backupWatch() {
        if (backupGaveUp) return;
        long last = log.lastBatchReceivedAt();
        if (last != Long.MIN_VALUE && world.sim.now() - last >= detectionTimeout) {
            backupLost(CloseReason.Kind.PEER_SILENT);
            return;
        }
        world.sim.scheduler().after(WATCH_INTERVAL, this::backupWatch);
    }

    private void backupToldPrimaryGaveUp() {
        if (backupGaveUp) return;
        note("backup told: the primary gave up");
        backupLost(CloseReason.Kind.PEER_ABORTED);
    }

    private void backupLost(CloseReason.Kind why) {
        backupGaveUp = true;
        backupDetectedAt = world.sim.now();
        log.detachBackup(); // the channel is closed: nothing more is applied or acknowledged
        PrimaryLoss.Verdict v = PrimaryLoss.decide(why, true);
        note("backup lost the channel: " + why + " -> " + v);
        if (v == PrimaryLoss.Verdict.TAKE_OVER && why == CloseReason.Kind.PEER_SILENT && backupIsolated) {
            backupCutOff = true; // BackupHost's CUT_OFF: waits for its link, however long
            backupLastHeardAt = log.lastBatchReceivedAt();
            note("backup CUT OFF: waits for its link");
        } else if (v == PrimaryLoss.Verdict.TAKE_OVER) {
            if (why == CloseReason.Kind.PEER_SILENT) log.signalPrimary(this::primaryToldBackupGaveUp);
            f.detect();
        } else {
            backupStopped = true;
        }
    }

    boolean tookOver() {
        return f.takenOverAt >= 0;
    }

    String describe() {
        return "detection " + detectionTimeout / MS + " ms, role " + role + ", lease until " + (leaseUntil == Long.MAX_VALUE ? "none" : leaseUntil / 1000 + " us")
                + ", events: " + events + " primary's last frame from the service at " + world.checker.lastSentFromService / 1000 + " us";
    }

    static long seconds(long s) {
        return s * SECOND;
    }
}
