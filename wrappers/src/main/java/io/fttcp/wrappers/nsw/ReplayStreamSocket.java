package io.fttcp.wrappers.nsw;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Write;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A protected connection on the backup: replays the connection's READ and WRITE records, then,
 * after takeover, continues on the restored live socket (see {@link ReplayNetwork#goLive}).
 * Reads are serialized with reads and writes with writes, as on the primary.
 */
final class ReplayStreamSocket implements StreamSocket {

    private final ReplayNetwork network;
    private final ReplayConnection c;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    // The application's settings, applied to the live socket when it takes over.
    private volatile boolean blocking = true;
    private volatile Duration readTimeout = Duration.ZERO;
    private volatile Boolean noDelay;
    private volatile Boolean keepAlive;
    private boolean liveConfigured;

    ReplayStreamSocket(ReplayNetwork network, ReplayConnection connection) {
        this.network = network;
        this.c = connection;
        this.local = address(connection.tuple.localAddress(), connection.tuple.localPort());
        this.remote = address(connection.tuple.remoteAddress(), connection.tuple.remotePort());
    }

    private static InetSocketAddress address(int a, int port) {
        byte[] b = {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(b), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        network.threads().use(c.tuple);
        readLock.lock();
        try {
            StreamSocket live;
            int served;
            ReentrantLock lock = network.lock();
            lock.lock();
            try {
                while (true) {
                    ensureOpen();
                    Read record = c.reads.peek();
                    if (record != null) {
                        return replayRead(record, dst);
                    }
                    if (network.binding() != null) {
                        live = c.live;
                        if (c.input.available() > 0 && dst.hasRemaining()) { // logged, not yet read: ours to hand out
                            served = (int) Math.min(dst.remaining(), c.input.available());
                            c.input.read(dst, served);
                            break;
                        }
                        if (c.input.endOfStream()) {
                            served = -1;
                            break;
                        }
                        live = liveSocket();
                        served = LIVE;
                        break;
                    }
                    await();
                }
            } finally {
                lock.unlock();
            }
            if (served != LIVE) {
                // Not a logged result: a log continued after takeover must hold it.
                if (live instanceof LoggingStreamSocket logging) {
                    logging.logRead(served);
                }
                return served;
            }
            return live.read(dst);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * After takeover, whether a read returns something without the live socket: logged client
     * bytes not read yet, the logged end of the stream, or a logged read still to replay. The
     * caller holds the network's lock.
     */
    boolean holdsLoggedInput() {
        return !c.reads.isEmpty() || c.input.available() > 0 || c.input.endOfStream();
    }

    /** A read served by the live socket (not a count). */
    private static final int LIVE = Integer.MIN_VALUE;

    /** Replays one READ record (lock held): exactly its count, once the bytes are there. */
    private int replayRead(Read record, ByteBuffer dst) throws IOException {
        int count = record.count();
        if (count > 0) {
            if (count > dst.remaining()) {
                network.takeRead(c);
                throw outOfStep("read of " + count + " bytes into a buffer with room for " + dst.remaining());
            }
            while (c.input.available() < count) {
                if (network.binding() != null || c.connect == null) {
                    throw new IOException(c.tuple + ": the client bytes of a logged read were never logged (read of " + count
                            + " at offset " + c.input.readOffset() + ", " + c.input.available() + " available)");
                }
                await();
                ensureOpen();
            }
            network.takeRead(c);
            c.input.read(dst, count);
            return count;
        }
        network.takeRead(c);
        if (count >= -1) {
            return count;
        }
        throw CallOutcome.replayed(count, "read on " + c.tuple);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        network.threads().use(c.tuple);
        writeLock.lock();
        try {
            if (!src.hasRemaining()) {
                ensureOpenForWrite();
                return 0;
            }
            ReentrantLock lock = network.lock();
            String diverged = null;
            int accepted;
            long offset;
            StreamSocket live;
            lock.lock();
            try {
                while (true) {
                    ensureOpenForWrite();
                    if (c.isDiverged()) {
                        throw c.wentLive ? notRestored() : new IOException(c.tuple + ": output diverged from the primary's (" + c.divergence + ")");
                    }
                    Write record = c.writes.peek();
                    if (record != null) {
                        c.writes.poll();
                        accepted = record.count();
                        if (accepted < 0) {
                            throw CallOutcome.replayed(accepted, "write on " + c.tuple);
                        }
                        if (record.offset() != c.outputOffset || accepted > src.remaining()) {
                            throw outOfStep("write of " + src.remaining() + " bytes at offset " + c.outputOffset + " where the primary's wrote "
                                    + accepted + " at " + record.offset());
                        }
                        if (record.hash() != 0 && OutputHash.of(src, src.position(), accepted) != record.hash()) {
                            String reason = "output bytes " + record.offset() + ".." + (record.offset() + accepted) + " differ from the primary's";
                            if (network.markDiverged(c, reason)) {
                                diverged = reason;
                            }
                        }
                        offset = c.outputOffset;
                        c.appendOutput(src, accepted);
                        if (!c.wentLive) {
                            src.position(src.position() + accepted);
                            break;
                        }
                        live = c.live;
                        ByteBuffer bytes = src.slice(src.position(), accepted);
                        src.position(src.position() + accepted);
                        LiveBinding binding = network.binding();
                        lock.unlock();
                        try {
                            if (c.isDiverged()) {
                                // Found only now (the takeover did not wait for this record): these bytes never leave.
                                if (live != null) binding.reset(live);
                                if (diverged != null) network.reportDivergence(c, diverged);
                                diverged = null;
                                throw notRestored();
                            }
                            sendReplayed(live, bytes, offset);
                        } finally {
                            lock.lock();
                        }
                        break;
                    }
                    if (network.binding() != null) {
                        return liveWrite(src);
                    }
                    await();
                }
            } finally {
                if (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
            }
            if (diverged != null) {
                network.reportDivergence(c, diverged);
            }
            return accepted;
        } finally {
            writeLock.unlock();
        }
    }

    /** After takeover, a replayed write's bytes at {@code offset}: those beyond what the restored connection holds go out. */
    private void sendReplayed(StreamSocket live, ByteBuffer bytes, long offset) throws IOException {
        long start = c.liveSendStart;
        if (offset + bytes.remaining() <= start) {
            return;
        }
        if (offset < start) {
            bytes.position(bytes.position() + (int) (start - offset));
        }
        if (live == null) {
            throw notRestored();
        }
        while (bytes.hasRemaining()) {
            int n = live instanceof LoggingStreamSocket logging ? logging.writeReplayed(bytes) : live.write(bytes);
            if (n == 0) {
                LockSupport.parkNanos(200_000); // a non-blocking live socket with a full send buffer: the count is fixed by the record
            }
        }
    }

    /** After takeover with nothing left to replay (lock held on entry, released here): discard what the client has, send the rest. */
    private int liveWrite(ByteBuffer src) throws IOException {
        ReentrantLock lock = network.lock();
        int dropped = 0;
        if (c.outputOffset < c.liveSendStart) {
            dropped = (int) Math.min(src.remaining(), c.liveSendStart - c.outputOffset);
        }
        boolean sendRest = dropped == 0 || dropped < src.remaining() && blocking;
        if (c.live instanceof LoggingStreamSocket logging) {
            // One WRITE record for the whole call, dropped bytes included: the application's view.
            long appOffset = c.outputOffset;
            if (sendRest) {
                liveSocket();
            }
            lock.unlock();
            int n = logging.write(src, appOffset, dropped, sendRest);
            lock.lock();
            c.outputOffset += n;
            return n;
        }
        if (dropped > 0) {
            src.position(src.position() + dropped);
            c.outputOffset += dropped;
            if (!sendRest) {
                return dropped;
            }
        }
        StreamSocket live = liveSocket();
        lock.unlock();
        int n = live.write(src);
        lock.lock();
        c.outputOffset += n;
        return dropped + n;
    }

    /** The restored socket, configured as the application configured this one (lock held). */
    private StreamSocket liveSocket() throws IOException {
        if (c.live == null) {
            throw notRestored();
        }
        if (!liveConfigured) {
            liveConfigured = true;
            c.live.configureBlocking(blocking);
            c.live.setReadTimeout(readTimeout);
            if (noDelay != null) {
                c.live.setNoDelay(noDelay);
            }
            if (keepAlive != null) {
                c.live.setKeepAlive(keepAlive);
            }
        }
        return c.live;
    }

    private IOException notRestored() {
        return c.isDiverged()
                ? new ConnectionResetException(c.tuple + ": reset at takeover (" + c.divergence + ")")
                : new ConnectionResetException(c.tuple + ": not restored at takeover");
    }

    /** The application's calls no longer match the log: its execution left the primary's. */
    private IOException outOfStep(String what) {
        String reason = "out of step with the primary: " + what;
        boolean first = network.markDiverged(c, reason);
        IOException e = new IOException(c.tuple + ": " + reason);
        if (first) {
            network.lock().unlock();
            try {
                network.reportDivergence(c, reason);
            } finally {
                network.lock().lock();
            }
        }
        return e;
    }

    private void await() throws IOException {
        try {
            c.changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while replaying " + c.tuple);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (c.closed) {
            throw new AsynchronousCloseException();
        }
    }

    private void ensureOpenForWrite() throws ClosedChannelException {
        ensureOpen();
        if (c.outputShut) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        network.threads().use(c.tuple);
        StreamSocket live = null;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (c.closed) {
                throw new ClosedChannelException();
            }
            if (c.outputShut) {
                return;
            }
            c.outputShut = true;
            if (c.wentLive && c.writes.isEmpty()) {
                live = c.live;
            }
        } finally {
            lock.unlock();
        }
        if (live != null) {
            live.shutdownOutput();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        network.threads().use(c.tuple);
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            ensureOpen();
        } finally {
            lock.unlock();
        }
        // On the primary later reads returned -1 and were logged as such: the records replay it.
    }

    @Override
    public void close() throws IOException {
        network.threads().use(c.tuple);
        StreamSocket live;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (c.closed) {
                return;
            }
            c.closed = true;
            c.outputShut = true;
            network.dropUnconsumable(c);
            c.changed.signalAll();
            live = c.wentLive ? c.live : null;
            network.forgetIfFinished(c);
        } finally {
            lock.unlock();
        }
        if (live != null) {
            live.close();
        }
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    public boolean isConnected() {
        return isOpen();
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        readTimeout = timeout;
        StreamSocket live = liveIfConfigured();
        if (live != null) {
            live.setReadTimeout(timeout);
        }
    }

    @Override
    public void setNoDelay(boolean on) {
        noDelay = on;
        StreamSocket live = liveIfConfigured();
        if (live != null) {
            live.setNoDelay(on);
        }
    }

    @Override
    public void setKeepAlive(boolean on) {
        keepAlive = on;
        StreamSocket live = liveIfConfigured();
        if (live != null) {
            live.setKeepAlive(on);
        }
    }

    @Override
    public void configureBlocking(boolean on) throws IOException {
        blocking = on;
        StreamSocket live = liveIfConfigured();
        if (live != null) {
            live.configureBlocking(on);
        }
    }

    private StreamSocket liveIfConfigured() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            return liveConfigured ? c.live : null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isBlocking() {
        return blocking;
    }

    @Override
    public boolean isOpen() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            return !c.closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** The connection behind this socket (tests, poller). */
    ReplayConnection connection() {
        return c;
    }

    @Override
    public String toString() {
        return "replay socket " + c.tuple;
    }
}
