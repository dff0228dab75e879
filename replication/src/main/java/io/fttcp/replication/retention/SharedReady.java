package io.fttcp.replication.retention;

import io.fttcp.replication.record.Ready;

import java.util.ArrayList;
import java.util.List;

/**
 * A READY record naming at least one live connection: retained while one of its connections
 * is (live or lingering), or, if it names a listener too, as long as a global record would be.
 * Its entries of connections no longer retained (evicted or superseded) are left out of snapshots.
 */
final class SharedReady {
    final Ready ready;
    /** Per entry of {@code ready.ready()}: its connection, or null for a listener. */
    private final LiveConnection[] owners;
    final boolean namesListener;
    /** Entries whose connection is still retained. */
    int retainedEntries;
    /** No longer retained (no retained connection entry, no listener entry); its queue slot is reclaimed later. */
    boolean dead;

    SharedReady(Ready ready, LiveConnection[] owners) {
        this.ready = ready;
        this.owners = owners;
        boolean listener = false;
        for (LiveConnection c : owners) {
            if (c == null) {
                listener = true;
            } else {
                retainedEntries++;
            }
        }
        this.namesListener = listener;
    }

    /** One of its connections was dropped (evicted after lingering, or superseded). */
    void connectionGone() {
        retainedEntries--;
    }

    boolean hasRetainedConnection() {
        return retainedEntries > 0;
    }

    /** The record as a snapshot shows it: listener entries and entries of retained connections; null if none is left. */
    Ready current() {
        if (retainedEntries == owners.length - listenerEntries()) {
            return ready;
        }
        List<Ready.Entry> kept = new ArrayList<>(owners.length);
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] == null || owners[i].retained) {
                kept.add(ready.ready().get(i));
            }
        }
        return kept.isEmpty() ? null : new Ready(ready.poller(), kept);
    }

    private int listenerEntries() {
        int n = 0;
        for (LiveConnection c : owners) {
            if (c == null) n++;
        }
        return n;
    }
}
