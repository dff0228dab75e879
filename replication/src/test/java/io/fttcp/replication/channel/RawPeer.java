package io.fttcp.replication.channel;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A hand-driven peer on a plain socket: sends exactly the bytes a test wants, reads frames with a timeout. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    final FrameEncoder encoder = new FrameEncoder();
    final FrameDecoder decoder = new FrameDecoder();
    final CollectingHandler received = new CollectingHandler();
    private final ByteBuffer in = ByteBuffer.allocate(1 << 21);

    RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
    }

    void send(ByteBuffer frame) throws IOException {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
    }

    static ByteBuffer handshake(Handshake h) {
        ByteBuffer b = ByteBuffer.allocate(512);
        new FrameEncoder().encodeHandshake(h, b);
        return b.flip();
    }

    static ByteBuffer record(long lsn, Record r) {
        ByteBuffer b = ByteBuffer.allocate((int) FrameEncoder.frameLength(r));
        new FrameEncoder().encode(lsn, r, b);
        return b.flip();
    }

    /** A channel heartbeat (LSN: the sender's highest; its clock; the echo of the peer's latest). */
    static ByteBuffer heartbeat(long lsn, long sentAtNanos, long echoNanos) {
        ByteBuffer b = ByteBuffer.allocate(64);
        new FrameEncoder().encodeHeartbeat(lsn, sentAtNanos, echoNanos, b);
        return b.flip();
    }

    static ByteBuffer caughtUp(long lsn) {
        ByteBuffer b = ByteBuffer.allocate(64);
        new FrameEncoder().encodeCaughtUp(lsn, b);
        return b.flip();
    }

    static ByteBuffer incomplete(long lsn) {
        ByteBuffer b = ByteBuffer.allocate(64);
        new FrameEncoder().encodeIncomplete(lsn, b);
        return b.flip();
    }

    /** A ROSTER frame naming one connection. */
    static ByteBuffer roster(long lsn) {
        ByteBuffer b = ByteBuffer.allocate(64);
        new FrameEncoder().encodeRoster(lsn, java.util.List.of(new io.fttcp.replication.codec.RosterEntry(
                new io.fttcp.stack.tcp.FourTuple(0xC612_0002, 80, 0xC612_0009, 40_000), 1, 2)), 0, b);
        return b.flip();
    }

    /** Reads until {@code frames} control frames arrived in total, or the timeout. Returns whether they did. */
    boolean awaitControls(int frames, int timeoutMillis) throws IOException, ReplicationProtocolException {
        return await(() -> received.controls.size() >= frames, timeoutMillis);
    }

    /** Reads until {@code records} records arrived in total, or the timeout. Returns whether they did. */
    boolean awaitRecords(int records, int timeoutMillis) throws IOException, ReplicationProtocolException {
        return await(() -> received.records.size() >= records, timeoutMillis);
    }

    private boolean await(java.util.function.BooleanSupplier done, int timeoutMillis) throws IOException, ReplicationProtocolException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        InputStream input = socket.getInputStream();
        byte[] chunk = new byte[65536];
        while (!done.getAsBoolean()) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = input.read(chunk);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (n < 0) {
                return false;
            }
            in.put(chunk, 0, n);
            in.flip();
            decoder.decodeAll(in, received);
            in.compact();
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
