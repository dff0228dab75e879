package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Ready;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

/** READY results logged for one poller, not yet consumed by the application (guarded by the replay network's lock). */
final class ReplayPollerQueue {

    final ArrayDeque<Ready> ready = new ArrayDeque<>();
    final Condition changed;

    ReplayPollerQueue(Condition changed) {
        this.changed = changed;
    }

    void add(Ready r) {
        ready.add(r);
        changed.signalAll();
    }
}
