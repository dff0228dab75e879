package io.fttcp.link.ethernet;

/**
 * IPv4-to-MAC mappings with a bounded number of entries, each expiring {@code ttl} after it was
 * last confirmed. Open addressing over primitive arrays: lookups allocate nothing. When full,
 * inserting evicts the entry closest to expiry. Not thread-safe.
 */
final class ArpCache {
    static final long ABSENT = -1;

    private final int maxEntries;
    private final long ttlNanos;
    private final long refreshBeforeNanos;
    private final int mask;
    private final int[] ips;
    private final long[] macs;
    private final long[] expiresAt;
    private final long[] refreshAt;
    private final boolean[] used;
    private int size;

    ArpCache(int maxEntries, long ttlNanos, long refreshBeforeNanos) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("ARP cache needs room for at least one entry, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.ttlNanos = ttlNanos;
        this.refreshBeforeNanos = Math.min(refreshBeforeNanos, ttlNanos);
        int slots = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        this.mask = slots - 1;
        this.ips = new int[slots];
        this.macs = new long[slots];
        this.expiresAt = new long[slots];
        this.refreshAt = new long[slots];
        this.used = new boolean[slots];
    }

    /** The MAC for {@code ip}, or {@link #ABSENT} if unknown or expired (then it is removed). */
    long lookup(int ip, long now) {
        int slot = slotOf(ip);
        if (slot < 0) {
            return ABSENT;
        }
        if (now >= expiresAt[slot]) {
            removeSlot(slot);
            return ABSENT;
        }
        return macs[slot];
    }

    /**
     * True once per {@code retryNanos} while a live entry nears expiry: the caller then asks the
     * peer again, so a busy destination is re-confirmed before its entry lapses.
     */
    boolean claimRefresh(int ip, long now, long retryNanos) {
        int slot = slotOf(ip);
        if (slot < 0 || now < refreshAt[slot]) {
            return false;
        }
        refreshAt[slot] = now + retryNanos;
        return true;
    }

    /** Updates the entry if present; false if there was none. */
    boolean update(int ip, long mac, long now) {
        int slot = slotOf(ip);
        if (slot < 0) {
            return false;
        }
        confirm(slot, mac, now);
        return true;
    }

    /** Inserts or updates, evicting the entry nearest expiry if the cache is full. */
    void put(int ip, long mac, long now) {
        if (update(ip, mac, now)) {
            return;
        }
        if (size >= maxEntries) {
            removeSlot(slotNearestExpiry());
        }
        int slot = home(ip);
        while (used[slot]) {
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        ips[slot] = ip;
        size++;
        confirm(slot, mac, now);
    }

    boolean remove(int ip) {
        int slot = slotOf(ip);
        if (slot < 0) {
            return false;
        }
        removeSlot(slot);
        return true;
    }

    int size() {
        return size;
    }

    private void confirm(int slot, long mac, long now) {
        macs[slot] = mac;
        expiresAt[slot] = now + ttlNanos;
        refreshAt[slot] = now + ttlNanos - refreshBeforeNanos;
    }

    private int slotOf(int ip) {
        int slot = home(ip);
        while (used[slot]) {
            if (ips[slot] == ip) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private int home(int ip) {
        int h = ip * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private int slotNearestExpiry() {
        int best = -1;
        for (int s = 0; s <= mask; s++) {
            if (used[s] && (best < 0 || expiresAt[s] < expiresAt[best])) {
                best = s;
            }
        }
        return best;
    }

    /** Linear-probing deletion by backward shift, so no tombstones accumulate. */
    private void removeSlot(int hole) {
        used[hole] = false;
        size--;
        int next = hole;
        while (true) {
            next = (next + 1) & mask;
            if (!used[next]) {
                return;
            }
            int want = home(ips[next]);
            boolean reachableFromHole = hole <= next ? (want <= hole || want > next) : (want <= hole && want > next);
            if (reachableFromHole) {
                ips[hole] = ips[next];
                macs[hole] = macs[next];
                expiresAt[hole] = expiresAt[next];
                refreshAt[hole] = refreshAt[next];
                used[hole] = true;
                used[next] = false;
                hole = next;
            }
        }
    }
}
