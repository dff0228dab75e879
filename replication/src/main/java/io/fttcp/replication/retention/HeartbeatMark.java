package io.fttcp.replication.retention;

/**
 * One HEARTBEAT record as far as retention needs it: its LSN and send time, and how many retained
 * connections still have their latest TSval in it (it is retained while that is above 0).
 */
final class HeartbeatMark {
    final long lsn;
    final long sentAtNanos;
    int connections;

    HeartbeatMark(long lsn, long sentAtNanos) {
        this.lsn = lsn;
        this.sentAtNanos = sentAtNanos;
    }
}
