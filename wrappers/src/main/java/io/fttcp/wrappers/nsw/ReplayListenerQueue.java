package io.fttcp.wrappers.nsw;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

/** ACCEPT results logged for one listener, not yet consumed by the application (guarded by the replay network's lock). */
final class ReplayListenerQueue {

    /** A null element: the primary's non-blocking accept() found nothing. */
    private final ArrayDeque<Object> accepted = new ArrayDeque<>();
    private static final Object NOTHING = new Object();
    final Condition changed;

    ReplayListenerQueue(Condition changed) {
        this.changed = changed;
    }

    void add(ReplayConnection connection) {
        accepted.add(connection == null ? NOTHING : connection);
        changed.signalAll();
    }

    int size() {
        return accepted.size();
    }

    boolean isEmpty() {
        return accepted.isEmpty();
    }

    /** The next logged result: a connection, or null for "nothing to accept". Queue must not be empty. */
    ReplayConnection poll() {
        Object next = accepted.poll();
        return next == NOTHING ? null : (ReplayConnection) next;
    }
}
