package io.fttcp.api;

import java.io.IOException;
import java.util.Map;

/**
 * An application whose state spans connections (a key-value store, a counter, a game) and
 * that bounds the replay a recovering server must do by taking checkpoints (DESIGN.md §5).
 *
 * <p>The contract, for one application served by one event-loop thread (a poller loop):
 * <ol>
 *   <li>At start, after opening its listeners and pollers (in the same order every time: they
 *       are matched by that order and by address) and before any other call on the network or
 *       the runtime, the application calls
 *       {@link AppRuntime#restore(Checkpointable)} from that thread. When it returns true the
 *       runtime has called {@link #restore} on the same thread: the application continues from
 *       the state of a checkpoint, at the top of its event loop. When false it starts fresh.</li>
 *   <li>At a moment of its choosing, at the end of an event-loop iteration (so that what it does
 *       next is what a restored copy does first: poll), it calls
 *       {@link AppRuntime#checkpoint(byte[])} from that thread with its complete state: the
 *       state shared by its connections and the state of each connection it holds (parse
 *       buffers, pending output it has not written yet, whether it shut a connection down),
 *       each connection keyed by {@link AppRuntime#connectionName(StreamSocket)}. Bytes already
 *       handed to write() are the runtime's, not part of the state.</li>
 *   <li>{@link #restore} gets that state and, by the same names, a socket for every connection
 *       it held open at the checkpoint, in the blocking mode it had then unset (the application
 *       sets its sockets' modes and registers them with pollers again).</li>
 * </ol>
 * No other thread may use the runtime or the sockets while a checkpoint is taken. The state is
 * at most {@code io.fttcp.replication.record.Checkpoint.MAX_STATE_BYTES} (256 KiB); a larger one
 * is refused with an {@link IllegalArgumentException} before anything is recorded (on a replica
 * too). On a primary, checkpoints bound recovery only when its network keeps copies of the
 * latest output ({@code LoggingNetwork}'s output copy limit) and its retention is CHECKPOINTED.
 */
public interface Checkpointable {

    /**
     * Continues from a checkpoint's state.
     *
     * @param state       the bytes given to {@link AppRuntime#checkpoint(byte[])}
     * @param connections the connections it held open then, by {@link AppRuntime#connectionName(StreamSocket)}
     */
    void restore(byte[] state, Map<String, StreamSocket> connections) throws IOException;
}
