package io.fttcp.replication.channel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which handshake refusals deserve a warning: a refusal repeats when a requester asks again
 * and again (a standby whose fetch the logger refuses while the primary lives, every 1.5 s; a
 * primary redialling a logger that refuses it), and the same warning every time would bury the
 * log. The first refusal of a peer with a given message warns, a repeat warns once per
 * {@code interval} with how many were not shown, and the others are for the debug log. Thread-safe;
 * remembers a bounded number of (peer, message) pairs.
 */
public final class RepeatedRefusals {
    private static final int REMEMBERED = 256;

    private record Seen(long warnedAt, int unshown) {
    }

    private final long intervalNanos;
    private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > REMEMBERED;
        }
    };

    public RepeatedRefusals(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /**
     * A refusal by {@code peer} saying {@code message} at {@code now}: -1 if it should go to the
     * debug log only, else the number of the same refusals not warned about since the last warning.
     */
    public synchronized int warn(String peer, String message, long now) {
        String key = peer + '\n' + message;
        Seen s = seen.get(key);
        if (s == null || now - s.warnedAt() >= intervalNanos) {
            seen.put(key, new Seen(now, 0));
            return s == null ? 0 : s.unshown();
        }
        seen.put(key, new Seen(s.warnedAt(), s.unshown() + 1));
        return -1;
    }
}
