package io.fttcp.apps;

import io.fttcp.api.PollKey;
import io.fttcp.api.StreamSocket;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * One connection of a line server on a {@link CheckpointingLoop}: the client's line not ended
 * yet, the output not yet written to it, whether the client ended its stream; and how a
 * checkpoint carries them. Used by that loop's one thread only.
 */
public final class LineSession {
    /** {@code AppRuntime#connectionName}: the connection's name in checkpoints. */
    public final String name;
    /** Bytes of the client's line not ended yet. */
    public final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    /** Output not yet written to the client. */
    public final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean clientEnded;
    private StreamSocket socket;
    private PollKey key;

    public LineSession(String name) {
        this.name = name;
    }

    public boolean clientEnded() {
        return clientEnded;
    }

    /** The client ended its stream. */
    public void clientEnds() {
        clientEnded = true;
    }

    public StreamSocket socket() {
        return socket;
    }

    public PollKey key() {
        return key;
    }

    /** The connection this session is served on, non-blocking, and its key in the loop's poller. */
    public void attach(StreamSocket socket, PollKey key) {
        this.socket = socket;
        this.key = key;
    }

    /** Writes what fits of the pending output. */
    public void writePending() throws IOException {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            int n = socket.write(ByteBuffer.wrap(bytes));
            pending.reset();
            pending.write(bytes, n, bytes.length - n);
        }
    }

    /** Its part of a checkpoint's state. */
    public void writeTo(DataOutputStream out) throws IOException {
        out.writeUTF(name);
        writeBytes(out, partialLine.toByteArray());
        writeBytes(out, pending.toByteArray());
        out.writeBoolean(clientEnded);
    }

    /**
     * A session as {@link #writeTo} put it in a checkpoint, with its connection from those the
     * runtime restored (not yet attached).
     *
     * @return the session and its socket
     * @throws IOException the checkpoint is damaged, or its connection was not restored
     */
    public static Restored readFrom(DataInputStream in, Map<String, StreamSocket> connections) throws IOException {
        LineSession s = new LineSession(in.readUTF());
        s.partialLine.writeBytes(readBytes(in));
        s.pending.writeBytes(readBytes(in));
        s.clientEnded = in.readBoolean();
        StreamSocket socket = connections.get(s.name);
        if (socket == null) {
            throw new IOException("the checkpoint's connection " + s.name + " was not restored");
        }
        return new Restored(s, socket);
    }

    /** A session read back from a checkpoint, and the restored socket it is to be attached to. */
    public record Restored(LineSession session, StreamSocket socket) {
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        return in.readNBytes(in.readInt());
    }
}
