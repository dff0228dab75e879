package io.fttcp.sim.net;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Condenses everything a network did (each delivery's time, ports and bytes; each drop's time,
 * port and cause) into a SHA-256, to check that a seed replays exactly.
 */
public final class TraceDigest implements NetworkObserver {
    private final MessageDigest digest;
    private final ByteBuffer record = ByteBuffer.allocate(16);
    private long events;

    public TraceDigest() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }

    /** A digest attached to {@code network}. */
    public static TraceDigest on(SimulatedNetwork network) {
        TraceDigest trace = new TraceDigest();
        network.addObserver(trace);
        return trace;
    }

    @Override
    public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
        record.clear().putLong(now).putInt(from.index()).putInt(to.index());
        digest.update(record.flip());
        digest.update(frame.duplicate());
        events++;
    }

    @Override
    public void dropped(SimPort at, DropCause cause, long now) {
        record.clear().putLong(now).putInt(at.index()).putInt(-1 - cause.ordinal());
        digest.update(record.flip());
        events++;
    }

    /** Deliveries and drops seen so far. */
    public long events() {
        return events;
    }

    /** Hex SHA-256 of the trace so far (the digest continues afterwards). */
    public String hex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }
}
