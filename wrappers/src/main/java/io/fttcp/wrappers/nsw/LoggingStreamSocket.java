package io.fttcp.wrappers.nsw;

import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A protected connection on the primary. Every read() is one READ record; every write() with
 * bytes to write is one output-commit requirement followed by one WRITE record; shutdown and
 * close are CLOSE records (for the FIN: record and requirement first, then the FIN).
 */
final class LoggingStreamSocket implements StreamSocket, LoggingPollable {

    private final LoggingNetwork network;
    private final StreamSocket inner;
    private final FourTuple name;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object closeLock = new Object();
    /** Bytes the stack accepted from the application so far: the next write's stream offset. */
    private volatile long outputOffset;
    /** End of the range a write in progress may reach (a concurrent close's FIN lies at most here). */
    private volatile long writeReach;
    private volatile boolean outputShut;
    private volatile boolean closed;
    /** Client bytes the application has read: the stream offset of its next read. */
    private volatile long readOffset;
    /** The latest output, for checkpoints ({@link LoggingNetwork#checkpoint}); null when the network keeps none. */
    private ByteQueue outputCopy;
    private final int outputCopyLimit;

    LoggingStreamSocket(LoggingNetwork network, StreamSocket inner, FourTuple name) {
        this(network, inner, name, 0);
    }

    /** A connection whose stream already holds {@code outputOffset} bytes of ours ({@link LoggingNetwork#adopt}). */
    LoggingStreamSocket(LoggingNetwork network, StreamSocket inner, FourTuple name, long outputOffset) {
        this.network = network;
        this.inner = inner;
        this.name = name;
        this.outputOffset = outputOffset;
        this.writeReach = outputOffset;
        this.outputCopyLimit = network.outputCopyLimit();
        this.outputCopy = outputCopyLimit > 0 ? new ByteQueue(outputOffset) : null;
    }

    @Override
    public FourTuple name() {
        return name;
    }

    @Override
    public StreamSocket inner() {
        return inner;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        network.threads().use(name);
        readLock.lock();
        try {
            int n;
            try {
                n = inner.read(dst);
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                network.log(new Read(name, CallOutcome.code(e)));
                throw e;
            }
            network.log(new Read(name, n));
            if (n > 0) {
                readOffset += n;
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return write(src, outputOffset, 0, true);
    }

    /**
     * One write of the application, whose stream offset is {@code appOffset} and whose first
     * {@code skip} bytes the connection already holds (a replayed application behind its
     * restored connection, {@link ReplayStreamSocket}): those are not handed to the stack but
     * count as written, and the rest is (if {@code sendRest}) from this socket's output offset
     * on, which is then {@code appOffset + skip}. One WRITE record for the whole call, as the
     * application saw it. On failure {@code src} is left where it was.
     */
    int write(ByteBuffer src, long appOffset, int skip, boolean sendRest) throws IOException {
        network.threads().use(name);
        writeLock.lock();
        try {
            int want = src.remaining();
            if (want == 0) {
                return 0; // deterministic: nothing logged, nothing to commit
            }
            int from = src.position();
            src.position(from + skip);
            long start = outputOffset;
            int n = 0;
            if (sendRest && src.hasRemaining()) {
                if (skip > 0 && appOffset + skip != start) {
                    throw new IllegalStateException(name + ": a write at " + appOffset + " skipping " + skip + " does not reach the stream end " + start);
                }
                writeReach = start + src.remaining();
                // First: the bytes in src depend only on what was logged before this call. A blocking
                // write may wait for its bytes to be acknowledged, so the requirement cannot come later.
                network.commit().requireStable(name, start, writeReach, network.lastLsn());
                try {
                    n = inner.write(src);
                } catch (ClosedChannelException e) {
                    src.position(from);
                    throw e;
                } catch (IOException e) {
                    src.position(from);
                    network.log(new Write(name, appOffset, CallOutcome.code(e), 0));
                    throw e;
                }
            }
            int accepted = skip + n;
            long hash = network.hashing() == OutputHashing.HASH && accepted > 0 ? OutputHash.of(src, from, accepted) : 0;
            Write record = new Write(name, appOffset, accepted, hash);
            if (accepted == want && inner.isBlocking()) network.logCompleteBlockingWrite(record);
            else network.log(record);
            copyOutput(src, from + skip, n);
            outputOffset = start + n;
            return accepted;
        } finally {
            writeReach = outputOffset;
            writeLock.unlock();
        }
    }

    /** Output bytes from stream offset {@code start}. */
    record OutputCopy(long start, byte[] bytes) {
    }

    /** Keeps {@code n} bytes written from {@code src} at {@code from} in the output copy (write lock held). */
    private void copyOutput(ByteBuffer src, int from, int n) {
        if (outputCopy != null && n > 0) {
            outputCopy.append(src.slice(from, n));
            outputCopy.discardBefore(outputCopy.end() - outputCopyLimit);
        }
    }

    /**
     * A restored connection's send queue at adoption: the bytes at {@code start} up to this
     * socket's output offset, which the stack holds already (the copy must have them too).
     */
    void seedOutputCopy(byte[] bytes, long start) {
        writeLock.lock();
        try {
            if (outputCopy != null && outputCopy.size() == 0 && start + bytes.length == outputOffset) {
                outputCopy = new ByteQueue(start);
                outputCopy.append(bytes, 0, bytes.length);
                outputCopy.discardBefore(outputCopy.end() - outputCopyLimit);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Client bytes read through this socket (after adoption: the live reads). */
    long readOffset() {
        return readOffset;
    }

    /**
     * The copy of the output up to stream offset {@code end} (the application's output offset),
     * as {@code [start, end)}; empty at {@code end} when the copy does not reach it.
     */
    OutputCopy outputCopyTo(long end) {
        writeLock.lock();
        try {
            if (outputCopy == null || end < outputCopy.start() || end > outputCopy.end()) {
                return new OutputCopy(end, new byte[0]);
            }
            return new OutputCopy(outputCopy.start(), outputCopy.toArray(outputCopy.start(), end));
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * This connection in a checkpoint: where the application's streams stand, and the output
     * copy kept (the latest {@link LoggingNetwork#outputCopyLimit()} bytes at most). Called
     * from the application's event-loop thread, which no other thread shares the socket with.
     */
    io.fttcp.replication.record.Checkpoint.Entry checkpointEntry() {
        readLock.lock();
        writeLock.lock();
        try {
            long end = outputOffset;
            byte[] copy = outputCopy == null ? new byte[0] : outputCopy.toArray(outputCopy.start(), outputCopy.end());
            return new io.fttcp.replication.record.Checkpoint.Entry(name, readOffset, end, outputShut, closed, end - copy.length, copy);
        } finally {
            writeLock.unlock();
            readLock.unlock();
        }
    }

    /**
     * After takeover, bytes of a write replayed from the old primary's WRITE record: its record
     * exists, so none is logged; they depend on nothing this log holds (LSN 0).
     */
    int writeReplayed(ByteBuffer bytes) throws IOException {
        writeLock.lock();
        try {
            long start = outputOffset;
            writeReach = start + bytes.remaining();
            network.commit().requireStable(name, start, writeReach, 0);
            int from = bytes.position();
            int n = inner.write(bytes);
            copyOutput(bytes, from, n);
            outputOffset = start + n;
            return n;
        } finally {
            writeReach = outputOffset;
            writeLock.unlock();
        }
    }

    /**
     * After takeover, the result of a read the replayed socket served itself (client bytes the
     * old primary logged that no READ record consumed, or their end of stream).
     */
    void logRead(int count) {
        network.threads().use(name);
        network.log(new Read(name, count));
    }

    @Override
    public void shutdownOutput() throws IOException {
        network.threads().use(name);
        synchronized (closeLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (!outputShut) {
                logFin(Close.How.SHUTDOWN_OUTPUT);
                outputShut = true;
            }
        }
        inner.shutdownOutput();
    }

    @Override
    public void shutdownInput() throws IOException {
        network.threads().use(name);
        synchronized (closeLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            network.log(new Close(name, Close.How.SHUTDOWN_INPUT));
        }
        inner.shutdownInput();
    }

    @Override
    public void close() throws IOException {
        network.threads().use(name);
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
            network.closed(this);
            if (outputShut) {
                network.log(new Close(name, Close.How.CLOSE));
            } else {
                logFin(Close.How.CLOSE);
                outputShut = true;
            }
        }
        inner.close();
    }

    /**
     * Logs the CLOSE record and tells output commit that the FIN needs it. A write blocked at
     * this moment may still add bytes before the FIN, so the requirement covers every offset
     * the FIN can have.
     */
    private void logFin(Close.How how) {
        long lsn = network.log(new Close(name, how));
        long from = outputOffset;
        long to = Math.max(from, writeReach) + 1;
        network.commit().requireStable(name, from, to, lsn);
    }

    @Override
    public boolean finishConnect() throws IOException {
        return inner.finishConnect();
    }

    @Override
    public boolean isConnected() {
        return inner.isConnected();
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        inner.setReadTimeout(timeout);
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        inner.setNoDelay(noDelay);
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        inner.setKeepAlive(keepAlive);
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return inner.remoteAddress();
    }

    @Override
    public String toString() {
        return "logging socket " + name;
    }
}
