package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An application checkpoint (DESIGN.md §5): what a server recovering from the log needs to
 * start replaying here instead of at the first record. The application's own state, and for
 * every connection the primary's application had accepted and still remembered, where its
 * streams stood and the output the client may not have acknowledged yet. The client's bytes are
 * not here: they stay in the connection's SEGMENT records, which retention keeps.
 *
 * @param context     the connection the checkpointing thread worked on ({@link Clock#NO_CONTEXT} if none):
 *                    the restored thread continues with it, so its runtime values keep their context
 * @param state       the application's bytes
 * @param connections one entry per connection, no four-tuple twice
 */
public record Checkpoint(FourTuple context, byte[] state, List<Entry> connections) implements Record {

    /**
     * The largest application state a checkpoint carries (256 KiB), checked before anything is
     * logged, on the primary and on a replica alike, so that both refuse the same checkpoint.
     * The rest of a record's frame (1 MiB by default) is for the connections' entries.
     */
    public static final int MAX_STATE_BYTES = 256 << 10;

    /** @throws IllegalArgumentException if {@code state} is over {@link #MAX_STATE_BYTES} */
    public static void checkStateSize(byte[] state) {
        if (state.length > MAX_STATE_BYTES) {
            throw new IllegalArgumentException("checkpoint state of " + state.length + " bytes is over the maximum of " + MAX_STATE_BYTES);
        }
    }

    public Checkpoint {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(state, "state");
        connections = List.copyOf(connections);
        Set<FourTuple> seen = new HashSet<>();
        for (Entry e : connections) {
            if (!seen.add(e.connection())) {
                throw new IllegalArgumentException("checkpoint names connection " + e.connection() + " twice");
            }
        }
    }

    /**
     * One connection at the checkpoint.
     *
     * @param connection   its four-tuple (not a listener's)
     * @param readOffset   client bytes the application had read
     * @param outputOffset bytes the application had written (the end of its WRITE records)
     * @param outputShut   the application had shut its output down (or closed): our FIN follows {@code outputOffset}
     * @param closed       the application had closed the socket
     * @param outputStart  stream offset of {@code output}'s first byte
     * @param output       the application's output {@code [outputStart, outputOffset)}: at least every byte the
     *                     client may not have acknowledged
     */
    public record Entry(FourTuple connection, long readOffset, long outputOffset, boolean outputShut, boolean closed,
                        long outputStart, byte[] output) {
        public Entry {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(output, "output");
            if (connection.remoteAddress() == 0 && connection.remotePort() == 0) {
                throw new IllegalArgumentException("a checkpoint entry names a listener, not a connection: " + connection);
            }
            if (readOffset < 0 || outputStart < 0) {
                throw new IllegalArgumentException("negative stream offset in the checkpoint entry of " + connection);
            }
            if (outputStart + output.length != outputOffset) {
                throw new IllegalArgumentException("checkpoint entry of " + connection + ": output of " + output.length + " bytes from "
                        + outputStart + " does not end at the output offset " + outputOffset);
            }
            if (closed && !outputShut) {
                throw new IllegalArgumentException("checkpoint entry of " + connection + ": closed but output not shut");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && connection.equals(e.connection) && readOffset == e.readOffset && outputOffset == e.outputOffset
                    && outputShut == e.outputShut && closed == e.closed && outputStart == e.outputStart && Arrays.equals(output, e.output);
        }

        @Override
        public int hashCode() {
            return Objects.hash(connection, readOffset, outputOffset, outputShut, closed, outputStart) * 31 + Arrays.hashCode(output);
        }

        @Override
        public String toString() {
            return "Entry[" + connection + ", read=" + readOffset + ", output=" + outputOffset + (outputShut ? " shut" : "")
                    + (closed ? " closed" : "") + ", kept from " + outputStart + "]";
        }
    }

    /** The entry of {@code connection}, or null. */
    public Entry entry(FourTuple connection) {
        for (Entry e : connections) {
            if (e.connection().equals(connection)) {
                return e;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && context.equals(c.context) && Arrays.equals(state, c.state) && connections.equals(c.connections);
    }

    @Override
    public int hashCode() {
        return Objects.hash(context, connections) * 31 + Arrays.hashCode(state);
    }

    /** Byte arrays shown by length only. */
    @Override
    public String toString() {
        return "Checkpoint[context=" + context + ", state=" + state.length + " bytes, connections=" + connections + "]";
    }
}
