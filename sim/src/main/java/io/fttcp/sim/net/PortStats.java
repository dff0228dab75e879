package io.fttcp.sim.net;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of one simulated port. Drops on the way out (uplink) count at the sending port; drops
 * on the way in (partition, downlink, receiver down) count at the receiving port.
 */
public final class PortStats {
    long framesSent;
    long bytesSent;
    long framesDelivered;
    long bytesDelivered;
    long duplicated;
    long reordered;
    final long[] drops = new long[DropCause.values().length];

    /** Frames the host passed to send(). */
    public long framesSent() {
        return framesSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Frames handed to this port's receiver. */
    public long framesDelivered() {
        return framesDelivered;
    }

    public long bytesDelivered() {
        return bytesDelivered;
    }

    /** Extra copies created by duplication on this port's directions. */
    public long duplicated() {
        return duplicated;
    }

    /** Frames held back for reordering on this port's directions. */
    public long reordered() {
        return reordered;
    }

    public long dropped(DropCause cause) {
        return drops[cause.ordinal()];
    }

    public long droppedTotal() {
        long total = 0;
        for (long d : drops) {
            total += d;
        }
        return total;
    }

    /** Non-zero drop counters, for messages. */
    public Map<DropCause, Long> dropsByCause() {
        Map<DropCause, Long> map = new EnumMap<>(DropCause.class);
        for (DropCause cause : DropCause.values()) {
            if (drops[cause.ordinal()] != 0) {
                map.put(cause, drops[cause.ordinal()]);
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return "sent=" + framesSent + " delivered=" + framesDelivered + " duplicated=" + duplicated
                + " reordered=" + reordered + " dropped=" + dropsByCause();
    }
}
