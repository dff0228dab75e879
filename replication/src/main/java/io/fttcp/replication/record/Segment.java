package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

import java.util.Arrays;
import java.util.Objects;

/**
 * A client segment as the primary received it (after the SYN): what the backup needs to rebuild
 * the client's byte stream and the client's acknowledgement and window.
 *
 * @param flags   TCP flags as on the wire (FIN, RST, ACK...)
 * @param window  window field as on the wire (unscaled)
 * @param tsVal   the client's TSval, 0 if none
 * @param tsEcr   the client's TSecr, 0 if none
 * @param payload the data, possibly empty
 */
public record Segment(FourTuple tuple, int seq, int ack, int flags, int window, int tsVal, int tsEcr,
                      byte[] payload) implements Record {
    /** Equal when every field is, the payload by content (a record's default compares array identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && Objects.equals(tuple, s.tuple) && seq == s.seq && ack == s.ack && flags == s.flags
                && window == s.window && tsVal == s.tsVal && tsEcr == s.tsEcr && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tuple, seq, ack, flags, window, tsVal, tsEcr) * 31 + Arrays.hashCode(payload);
    }

    /** Payload shown by length only: records are logged, and payloads can be 64 KiB. */
    @Override
    public String toString() {
        return "Segment[tuple=" + tuple + ", seq=" + Integer.toUnsignedString(seq) + ", ack=" + Integer.toUnsignedString(ack)
                + ", flags=0x" + Integer.toHexString(flags) + ", window=" + window + ", tsVal=" + tsVal + ", tsEcr=" + tsEcr
                + ", payload=" + (payload == null ? "null" : payload.length + " bytes") + "]";
    }
}
