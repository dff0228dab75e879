package io.fttcp.replication.retention;

import io.fttcp.replication.record.Ready;

import java.util.ArrayList;
import java.util.List;

/**
 * A READY record naming at least one live connection: retained while one of its connections
 * lives, or, if it names a listener too, as long as a global record would be. Its entries of
 * finished connections are left out of snapshots.
 */
final class SharedReady {
    final Ready ready;
    /** Per entry of {@code ready.ready()}: its connection, or null for a listener. */
    private final LiveConnection[] owners;
    final boolean namesListener;
    /** Entries whose connection is still live. */
    int liveEntries;
    /** No longer retained (no live connection entry, no listener entry); its queue slot is reclaimed later. */
    boolean dead;

    SharedReady(Ready ready, LiveConnection[] owners) {
        this.ready = ready;
        this.owners = owners;
        boolean listener = false;
        for (LiveConnection c : owners) {
            if (c == null) {
                listener = true;
            } else {
                liveEntries++;
            }
        }
        this.namesListener = listener;
    }

    /** One of its connections finished or was superseded. */
    void connectionGone() {
        liveEntries--;
    }

    boolean hasLiveConnection() {
        return liveEntries > 0;
    }

    /** The record as a snapshot shows it: listener entries and entries of live connections; null if none is left. */
    Ready current() {
        if (liveEntries == owners.length - listenerEntries()) {
            return ready;
        }
        List<Ready.Entry> kept = new ArrayList<>(owners.length);
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] == null || owners[i].live) {
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
