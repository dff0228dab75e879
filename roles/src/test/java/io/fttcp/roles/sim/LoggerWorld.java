package io.fttcp.roles.sim;

import java.util.SplittableRandom;

/**
 * Message-logging FT-TCP on the simulated network (issue 4): a {@link FailoverWorld} with a cold
 * start. The replication link's far side is a logger: it stores each record it receives in its
 * {@link LoggerLog} and acknowledges it, and what it acknowledged is durable. The backup host
 * follows nothing; when the primary is found dead (after the detection timeout; the logger then
 * stops acknowledging the old primary, whose lease runs out), the host recovers from the logger
 * ({@link LogRecovery}: the live connections' records only) and takes over as the hot backup
 * does.
 *
 * <p>The logger can crash ({@link #crashLogger}): its connection drops, the records it received
 * but had not acknowledged may be lost (its log keeps a prefix, a torn tail cut), the primary,
 * alive, stalls (nothing becomes stable: output commit holds its output, its ACKs stay clamped);
 * {@link #restartLogger} brings it back on what its log kept, and the primary sends again
 * what it lacks ({@code RecordStream.restartFrom}). If the primary is found dead while the
 * logger is down, recovery waits for the logger's restart, and reads its whole log.
 *
 * <p>Under the continue policy the primary instead serves on unprotected while the logger is
 * down and re-joins it when it is back, with a catch-up that starts a new generation of its
 * log ({@link LoggerLog#newGeneration}); see {@link SimReplicationLink}.
 */
final class LoggerWorld {
    final FailoverWorld f;
    final LoggerLog log = new LoggerLog();
    private final SplittableRandom faults;
    private final boolean continueUnprotected;
    private boolean loggerDown, recoveryWaiting;
    LogRecovery recovery;
    String recoveryFailure;
    long loggerCrashedAt = -1, loggerRestartedAt = -1;
    /** At the logger's crash: the highest LSN it had acknowledged, received, and the primary's stable LSN. */
    long ackedAtLoggerCrash, receivedAtLoggerCrash, stableAtLoggerCrash;
    /** The primary's stable LSN just before the logger's restart (nothing may become stable while it is down). */
    long stableBeforeRestart = -1;
    /** What the logger's log kept at its restart. */
    long heldAtRestart = -1;
    long recoveredAt = -1;
    /** At the recovery: the highest LSN the logger had acknowledged and received. */
    long ackedAtRecovery = -1, receivedAtRecovery = -1;

    LoggerWorld(long seed) {
        this(seed, false);
    }

    /** @param continueUnprotected the primary serves on unprotected while the logger is down, and re-joins when it is back */
    LoggerWorld(long seed, boolean continueUnprotected) {
        this.f = new FailoverWorld(seed, t -> false, this::primaryFoundDead);
        this.faults = new SplittableRandom(seed ^ 0x1066_E500L);
        this.continueUnprotected = continueUnprotected;
        f.world.log.onBackupRecord(log::received, () -> { });
        if (continueUnprotected) f.world.log.continueWhenReceiverLost(log::newGeneration, log::caughtUp);
    }

    /**
     * How much of the log survives a crash: every acknowledged record, and of the others none,
     * all, or a uniformly drawn part, a third of the time each.
     */
    private long tornTail(long acked, long received) {
        return switch (faults.nextInt(3)) {
            case 0 -> acked;
            case 1 -> received;
            default -> faults.nextLong(acked, received + 1);
        };
    }

    /** The logger crashes now. */
    void crashLogger() {
        if (loggerDown) throw new IllegalStateException("the logger is down already");
        loggerDown = true;
        loggerCrashedAt = f.world.sim.now();
        ackedAtLoggerCrash = f.world.log.ackedLsn();
        receivedAtLoggerCrash = log.lastLsn();
        stableAtLoggerCrash = f.world.log.stableLsn();
        f.world.log.receiverCrashed();
    }

    /** The logger restarts on what its log kept (a torn tail cut); the primary, if alive, reconnects. */
    void restartLogger() {
        if (!loggerDown) throw new IllegalStateException("the logger is up");
        stableBeforeRestart = f.world.log.stableLsn();
        heldAtRestart = tornTail(ackedAtLoggerCrash, receivedAtLoggerCrash);
        log.truncate(heldAtRestart);
        f.world.log.receiverRestarted(log.prefix(heldAtRestart));
        loggerRestartedAt = f.world.sim.now();
        loggerDown = false;
        if (recoveryWaiting) recover();
    }

    boolean loggerDown() {
        return loggerDown;
    }

    /** The backup host found the primary dead: it recovers from the logger now, or once the logger is back. */
    private void primaryFoundDead() {
        if (loggerDown) {
            recoveryWaiting = true;
        } else {
            recover();
        }
    }

    private void recover() {
        recoveryWaiting = false;
        recoveredAt = f.world.sim.now();
        // The primary was lost while catching the logger up: the logger keeps what it held, marked incomplete.
        if (log.catchingUp()) log.catchUpBrokeOff();
        long acked = f.world.log.ackedLsn();
        ackedAtRecovery = acked;
        receivedAtRecovery = log.lastLsn();
        // What the logger acknowledged; or, restarted since the primary died, its whole log,
        // every record of which its own recovery found durable; or a generation a catch-up did
        // not replace (durable all of it: it is as it stood before the catch-up began).
        // A generation a whole catch-up started is durable through the catch-up (the logger switches
        // to it only then), whether or not the primary heard its acknowledgement.
        long durable = loggerRestartedAt >= f.crashedAt || log.incompleteThrough > 0 ? log.lastLsn() : Math.max(acked, log.caughtUpAt);
        if (log.incompleteThrough > 0) f.catchUpComplete = () -> false; // the recovery restores none of its connections, resets their clients
        try {
            recovery = new LogRecovery(log, durable, f.transfers::planFor);
        } catch (RuntimeException e) {
            recoveryFailure = e.toString();
            throw e;
        }
        f.startRecovered(recovery.application, recovery.clientAddresses);
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        if (loggerCrashedAt >= 0) {
            b.append("logger crashed at ").append(loggerCrashedAt / PrimaryWorld.MS).append(" ms (acked ").append(ackedAtLoggerCrash)
                    .append(", received ").append(receivedAtLoggerCrash).append(", primary stable ").append(stableAtLoggerCrash).append(")");
            if (loggerRestartedAt >= 0) {
                b.append(", restarted at ").append(loggerRestartedAt / PrimaryWorld.MS).append(" ms holding ").append(heldAtRestart);
            }
            if (continueUnprotected) b.append(" (").append(f.world.log.rejoinState()).append(")");
            b.append("; ");
        }
        if (recovery != null) b.append(recovery).append(" at ").append(recoveredAt / PrimaryWorld.MS).append(" ms; ");
        if (recoveryFailure != null) b.append("recovery FAILED: ").append(recoveryFailure).append("; ");
        return b.append(f.describe()).toString();
    }
}
