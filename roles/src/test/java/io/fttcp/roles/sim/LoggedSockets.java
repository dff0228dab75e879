package io.fttcp.roles.sim;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.OutputHash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the north-side wrapper (test only, until the real one exists): the socket
 * calls of the primary's applications, logging ACCEPT, READ, WRITE and CLOSE records into the
 * same stream as the south-side wrapper, and asking the wrapper for output commit: before each
 * write, its bytes need every record logged so far ({@code requireStable(tuple, start, end,
 * lastLsn)}); before a shutdown or close, the FIN needs the CLOSE record.
 *
 * <p>It also keeps, per connection, which LSN each output byte and the FIN were made to wait
 * for, so that a test can check the wire against it ({@link #lsnNeeded}, {@link #finLsn}).
 */
final class LoggedSockets {
    private final SimPrimaryHost host;
    private final SimReplicationLink log;
    private final Map<FourTuple, Output> outputs = new HashMap<>();
    private long reads, writes, bytesWritten;
    private boolean hashOutput;

    LoggedSockets(SimPrimaryHost host, SimReplicationLink log) {
        this.host = host;
        this.log = log;
    }

    /** From now on each WRITE record carries the hash of its bytes, so a backup can detect divergence. */
    void hashOutput() {
        hashOutput = true;
    }

    /** Output commit bookkeeping of one connection: accepted writes as (end offset, LSN), in order. */
    static final class Output {
        final List<long[]> writes = new ArrayList<>();
        long written;
        /** The write in progress: bytes [written, pendingEnd) need pendingLsn; -1 when none. */
        long pendingEnd = -1, pendingLsn;
        long finOffset = -1, finLsn;
    }

    Connection accept(Listener listener) {
        Connection c = host.call(listener::poll);
        if (c != null) {
            FourTuple t = c.tuple();
            log.append(new Accept(new FourTuple(t.localAddress(), t.localPort(), 0, 0), t), host.now());
            outputs.put(t, new Output());
        }
        return c;
    }

    int read(Connection c, ByteBuffer dst) {
        int n = host.call(() -> c.read(dst, host.now()));
        if (n != 0) {
            log.append(new Read(c.tuple(), n), host.now());
            reads++;
        }
        return n;
    }

    int write(Connection c, ByteBuffer src) {
        if (!src.hasRemaining()) return 0;
        Output o = outputs.get(c.tuple());
        long start = o.written, end = start + src.remaining();
        long lsn = log.lastLsn(); // everything logged before this write
        o.pendingEnd = end;
        o.pendingLsn = lsn;
        int n;
        int from = src.position();
        try {
            host.call(() -> host.ssw().requireStable(c.tuple(), start, end, lsn));
            n = host.call(() -> c.write(src, host.now()));
        } finally {
            o.pendingEnd = -1;
        }
        if (n > 0) {
            o.writes.add(new long[] {start + n, lsn});
            o.written += n;
            log.append(new Write(c.tuple(), start, n, hashOutput ? OutputHash.of(src, from, n) : 0), host.now());
            writes++;
            bytesWritten += n;
        }
        return n;
    }

    void shutdownOutput(Connection c) {
        finFirst(c, Close.How.SHUTDOWN_OUTPUT);
        host.call(() -> c.shutdownOutput(host.now()));
    }

    void close(Connection c) {
        finFirst(c, Close.How.CLOSE);
        host.call(() -> c.close(host.now()));
    }

    /** Logs the CLOSE record and makes our FIN (if not already sent) wait for it. */
    private void finFirst(Connection c, Close.How how) {
        long lsn = log.append(new Close(c.tuple(), how), host.now());
        Output o = outputs.get(c.tuple());
        if (o.finOffset < 0) {
            o.finOffset = o.written;
            o.finLsn = lsn;
            host.call(() -> host.ssw().requireFinStable(c.tuple(), o.written, lsn));
        }
    }

    /**
     * The LSN that had to be stable before the output bytes below stream offset {@code end} (and
     * at or above {@code start}) could leave: that of the write that accepted the byte at
     * {@code end - 1}; {@link Long#MAX_VALUE} when no write (even one in progress) holds it.
     */
    long lsnNeeded(FourTuple connection, long end) {
        Output o = outputs.get(connection);
        if (o == null) return Long.MAX_VALUE;
        for (int i = o.writes.size() - 1; i >= 0; i--) {
            long[] w = o.writes.get(i);
            long previousEnd = i == 0 ? 0 : o.writes.get(i - 1)[0];
            if (end > previousEnd && end <= w[0]) return w[1];
            if (end > w[0]) break;
        }
        if (o.pendingEnd >= 0 && end > o.written && end <= o.pendingEnd) return o.pendingLsn;
        return Long.MAX_VALUE;
    }

    /** Stream offset of our FIN, or -1 before the application shut down. */
    long finOffset(FourTuple connection) {
        Output o = outputs.get(connection);
        return o == null ? -1 : o.finOffset;
    }

    long finLsn(FourTuple connection) {
        return outputs.get(connection).finLsn;
    }

    long reads() {
        return reads;
    }

    long writes() {
        return writes;
    }

    long bytesWritten() {
        return bytesWritten;
    }
}
